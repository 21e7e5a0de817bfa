//! The one shape of a validation error in exo-sim: the field, what is wrong with it, and the value found.
//!
//! exo-control's [`ConfigError`](exo_control::ConfigError) is its real-time counterpart (`Copy`, no strings);
//! [`ValidationError::from_config`] names its field in the scenario's terms. A scenario adds where the field came
//! from (file, line, column or `--set` override): see [`crate::scenario::ScenarioError`].

use std::fmt;

/// An invalid value: which field (a path such as `controller.sea_torque.kp.knee`), what is wrong, and the value
/// found when there is one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidationError {
    /// The field path.
    pub field: String,
    /// What is wrong, as a sentence fragment (`must be a finite number > 0`).
    pub problem: String,
    /// The value found, as written, when it helps.
    pub value: Option<String>,
}

impl ValidationError {
    /// An error on `field`.
    #[must_use]
    pub fn new(field: impl Into<String>, problem: impl Into<String>) -> Self {
        Self { field: field.into(), problem: problem.into(), value: None }
    }

    /// The same error, with the value that was found.
    #[must_use]
    pub fn with_value(mut self, value: impl fmt::Display) -> Self {
        self.value = Some(value.to_string());
        self
    }

    /// The same error with its field inside `section` (`within("human")` turns `kp` into `human.kp`).
    #[must_use]
    pub fn within(mut self, section: &str) -> Self {
        if !section.is_empty() {
            self.field = if self.field.is_empty() { section.to_string() } else { format!("{section}.{}", self.field) };
        }
        self
    }

    /// An exo-control configuration error, its field placed in `section` and its joint index named by
    /// `joints` (`controller.sea_torque` + `kp`, joint 1 of `[hip, knee]` -> `controller.sea_torque.kp.knee`).
    #[must_use]
    pub fn from_config(e: &exo_control::ConfigError, section: &str, joints: &[String]) -> Self {
        let field = match e.joint.map(usize::from) {
            Some(j) => match joints.get(j) {
                Some(name) => format!("{}.{name}", e.field),
                None => format!("{}[{j}]", e.field),
            },
            None => e.field.to_string(),
        };
        Self::new(field, e.problem.to_string()).within(section)
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.problem)?;
        if let Some(v) = &self.value {
            write!(f, " (got {v})")?;
        }
        Ok(())
    }
}

impl std::error::Error for ValidationError {}

/// `Ok` when `v` is finite and above `min`.
#[cfg(feature = "scenario")]
pub(crate) fn above(field: &str, v: f64, min: f64) -> Result<(), ValidationError> {
    if v.is_finite() && v > min {
        Ok(())
    } else {
        Err(ValidationError::new(field, format!("must be a finite number > {min}")).with_value(v))
    }
}

/// `Ok` when `lo <= v <= hi`.
#[cfg(feature = "scenario")]
pub(crate) fn within(field: &str, v: f64, lo: f64, hi: f64) -> Result<(), ValidationError> {
    if v.is_finite() && (lo..=hi).contains(&v) {
        Ok(())
    } else {
        Err(ValidationError::new(field, format!("must be within {lo}..{hi}")).with_value(v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_nest_and_joints_get_their_names() {
        let e = ValidationError::new("kp", "must not be negative").with_value(-1.0).within("controller.sea_torque");
        assert_eq!(e.to_string(), "controller.sea_torque.kp: must not be negative (got -1)");
        let c = exo_control::ConfigError::new("kp", exo_control::Problem::Negative).at_joint(1);
        let names = ["hip".to_string(), "knee".to_string()];
        assert_eq!(ValidationError::from_config(&c, "controller.x", &names).field, "controller.x.kp.knee");
        assert_eq!(ValidationError::from_config(&c, "controller.x", &names[..1]).field, "controller.x.kp[1]");
    }
}
