//! The one error type of the crate: which file, which line, which element, what is wrong.

use std::fmt;

/// Something in an OpenSim file that this crate cannot read, or does not support.
///
/// Displayed as `file:line: element: problem`, for example
/// `subject01.osim:1791: ConditionalPathPoint psoas_r-P3: range must have two numbers (got "-1.5708")`.
/// The line is that of the XML element at fault: the property element (`<range>`) when one property is bad, the
/// object's own element when the object as a whole is (an unsupported type, a missing property).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct OsimError {
    /// The file as the caller named it (or the label given to [`crate::parse_model`] and its siblings).
    pub file: String,
    /// 1-based line of the offending element; 0 when no line applies (the file could not be read).
    pub line: u32,
    /// The element at fault: its tag and, when it has one, its `name` attribute (`ConditionalPathPoint psoas_r-P3`),
    /// or the file's root for whole-document problems.
    pub element: String,
    /// What is wrong, naming the property concerned.
    pub problem: String,
}

impl fmt::Display for OsimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}: {}", self.file, self.element, self.problem)
        } else {
            write!(f, "{}:{}: {}: {}", self.file, self.line, self.element, self.problem)
        }
    }
}
