//! Helpers shared by the integration tests: the asset files, and editing their text.

#![allow(dead_code)]

use std::path::PathBuf;

use exo_opensim::{Model, OsimError, parse_model};

/// A file under the workspace's `assets/`.
pub(crate) fn asset(path: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../assets")).join(path)
}

pub(crate) const MODEL: &str = "models/gait10dof18musc/subject01.osim";
pub(crate) const METABOLICS: &str = "models/gait10dof18musc/subject01_metabolics.osim";
pub(crate) const RESERVES: &str = "models/gait10dof18musc/gait10dof_Reserve_Actuators.xml";
pub(crate) const GRF: &str = "gait/opensim/subject01_walk_grf.xml";

/// The text of subject01.osim.
pub(crate) fn model_text() -> String {
    std::fs::read_to_string(asset(MODEL)).expect("subject01.osim is readable")
}

/// The 1-based line of the first occurrence of `needle`.
pub(crate) fn line_of(text: &str, needle: &str) -> u32 {
    let at = text.find(needle).unwrap_or_else(|| panic!("{needle:?} is not in the text"));
    text[..at].matches('\n').count() as u32 + 1
}

/// `text` with the first occurrence of `from` (which must occur) replaced by `to`.
pub(crate) fn edit(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "{from:?} is not in the text");
    text.replacen(from, to, 1)
}

/// `text` with the first occurrence of `from` after the first occurrence of `after` replaced by `to`.
pub(crate) fn edit_after(text: &str, after: &str, from: &str, to: &str) -> String {
    let start = text.find(after).unwrap_or_else(|| panic!("{after:?} is not in the text"));
    let offset = text[start..].find(from).unwrap_or_else(|| panic!("{from:?} is not after {after:?}"));
    let at = start + offset;
    format!("{}{}{}", &text[..at], to, &text[at + from.len()..])
}

/// Parses an edited model text that must fail.
pub(crate) fn model_err(text: &str) -> OsimError {
    match parse_model(text, "subject01.osim") {
        Ok(_) => panic!("the edited model was accepted"),
        Err(e) => e,
    }
}

/// Parses a model text that must succeed.
pub(crate) fn model_ok(text: &str) -> Model {
    parse_model(text, "subject01.osim").unwrap_or_else(|e| panic!("{e}"))
}

/// Asserts the error's line and element, and that its problem mentions `words`.
pub(crate) fn assert_error(e: &OsimError, line: u32, element: &str, words: &str) {
    assert_eq!((e.line, e.element.as_str()), (line, element), "{e}");
    assert!(e.problem.contains(words), "{e} should mention {words:?}");
    assert!(
        e.to_string().starts_with(&format!("subject01.osim:{line}: {element}: ")) || e.file != "subject01.osim",
        "{e}"
    );
}

/// The byte offset of `needle` after the successive `anchors`.
fn offset_in(text: &str, anchors: &[&str], needle: &str) -> usize {
    let mut at = 0;
    for anchor in anchors {
        at += text[at..].find(anchor).unwrap_or_else(|| panic!("{anchor:?} is not in the text"));
    }
    at + text[at..].find(needle).unwrap_or_else(|| panic!("{needle:?} is not after {anchors:?}"))
}

/// `text` with the first `from` after the successive `anchors` replaced by `to`.
pub(crate) fn edit_in(text: &str, anchors: &[&str], from: &str, to: &str) -> String {
    let at = offset_in(text, anchors, from);
    format!("{}{}{}", &text[..at], to, &text[at + from.len()..])
}

/// The 1-based line of the first `needle` after the successive `anchors`.
pub(crate) fn line_in(text: &str, anchors: &[&str], needle: &str) -> u32 {
    let at = offset_in(text, anchors, needle);
    text[..at].matches('\n').count() as u32 + 1
}
