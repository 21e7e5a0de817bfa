//! Hostile input: truncated and mutated files give an error or a model, never a panic.

mod common;

use common::{GRF, RESERVES, asset, model_text};
use exo_opensim::{Function, parse_external_loads, parse_model, parse_reserve_actuators};
use proptest::prelude::*;

/// `text` cut at `cut` (a fraction of its length), on a character boundary.
fn truncate(text: &str, cut: f64) -> &str {
    let mut at = ((text.len() as f64) * cut) as usize;
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    &text[..at]
}

/// `text` with `count` bytes overwritten by characters XML cares about (or digits and letters).
fn mutate(text: &str, edits: &[(f64, u8)]) -> String {
    const CHARS: &[u8] = b"<>/=\"' \n-.0123456789eEaZ&;!?[]";
    let mut bytes = text.as_bytes().to_vec();
    for (at, c) in edits {
        let i = ((bytes.len() as f64) * at) as usize % bytes.len();
        bytes[i] = CHARS[*c as usize % CHARS.len()];
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn truncated_model(cut in 0.0..1.0f64) {
        let text = model_text();
        let _ = parse_model(truncate(&text, cut), "subject01.osim");
    }

    #[test]
    fn mutated_model(edits in proptest::collection::vec((0.0..1.0f64, any::<u8>()), 1..8)) {
        let text = model_text();
        if let Ok(model) = parse_model(&mutate(&text, &edits), "subject01.osim") {
            let _ = model.check_planar("subject01.osim");
            for (_, c) in model.coordinates() {
                let _ = c.range;
            }
        }
    }

    #[test]
    fn mutated_other_files(edits in proptest::collection::vec((0.0..1.0f64, any::<u8>()), 1..6), cut in 0.0..1.0f64) {
        let reserves = std::fs::read_to_string(asset(RESERVES)).unwrap();
        let _ = parse_reserve_actuators(&mutate(&reserves, &edits), "r.xml");
        let _ = parse_reserve_actuators(truncate(&reserves, cut), "r.xml");
        let grf = std::fs::read_to_string(asset(GRF)).unwrap();
        let _ = parse_external_loads(&mutate(&grf, &edits), "g.xml");
        let _ = parse_external_loads(truncate(&grf, cut), "g.xml");
    }

    #[test]
    fn functions_evaluate_anywhere(x in prop_oneof![any::<f64>(), -5.0..5.0f64], knots in proptest::collection::vec(-10.0..10.0f64, 2..9)) {
        let mut xs = knots.clone();
        xs.sort_by(f64::total_cmp);
        xs.dedup();
        let text = format!(
            "<SimmSpline><x>{}</x><y>{}</y></SimmSpline>",
            xs.iter().map(f64::to_string).collect::<Vec<_>>().join(" "),
            knots.iter().take(xs.len()).map(f64::to_string).collect::<Vec<_>>().join(" ")
        );
        if let Ok(f) = Function::from_xml(&text, "f.xml") {
            let _ = (f.value(x), f.derivative(x), f.second_derivative(x));
        }
        let text = text.replace("SimmSpline", "PiecewiseLinearFunction");
        if let Ok(f) = Function::from_xml(&text, "f.xml") {
            let _ = (f.value(x), f.derivative(x), f.second_derivative(x));
        }
    }
}
