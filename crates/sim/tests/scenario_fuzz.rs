//! Mutated scenario files never panic the loader or the builder: they load or they give an error.
#![cfg(feature = "scenario")]

use std::path::PathBuf;

use proptest::prelude::*;

fn base() -> (PathBuf, String) {
    let p = PathBuf::from(format!("{}/../../scenarios/walking-assist.toml", env!("CARGO_MANIFEST_DIR")));
    let text = std::fs::read_to_string(&p).unwrap();
    (p, text)
}

fn mutate(text: &str, op: u8, line: usize, junk: &str) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let n = lines.len();
    let i = line % n;
    match op % 6 {
        0 => {
            lines.remove(i);
        }
        1 => lines.insert(i, junk.to_string()),
        2 => {
            // Replace the value after `=`.
            if let Some((k, _)) = lines[i].split_once('=') {
                lines[i] = format!("{k}= {junk}");
            }
        }
        3 => lines[i] = lines[i].chars().rev().collect(),
        4 => lines.truncate(i),
        _ => {
            let l = lines[i].clone();
            lines.insert(i, l);
        }
    }
    lines.join("\n")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn mutated_scenarios_load_or_fail_cleanly(
        op in any::<u8>(),
        line in any::<usize>(),
        junk in prop_oneof![
            Just("-1.0".to_string()), Just("1e308".to_string()), Just("nan".to_string()), Just("inf".to_string()),
            Just("\"text\"".to_string()), Just("[1, 2]".to_string()), Just("{ a = 1 }".to_string()),
            Just("0".to_string()), Just("[[[".to_string()), Just("x = ".to_string()), "[a-z_]{1,8} = [0-9.]{1,6}",
        ],
    ) {
        let (path, text) = base();
        let mutated = mutate(&text, op, line, &junk);
        if let Ok(loaded) = exo_sim::scenario::parse(&mutated, &path, &[]) {
            // A scenario that loads must also build or fail with an error (no panic), and not run away.
            if let Ok(parts) = exo_sim::scenario::build(&loaded, true) {
                let mut sim = exo_sim::simulation::Simulation::new(parts);
                for _ in 0..20 {
                    if sim.tick().is_err() {
                        break;
                    }
                }
            }
        }
    }
}
