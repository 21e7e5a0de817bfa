//! The link-time panic check (`crates/control-panic-check`) must export every law of the crate: a law added to
//! `exo_control::LAWS` without an export there fails here, before anyone can forget it.

#[test]
fn the_panic_check_exports_every_law() {
    let source = include_str!("../../control-panic-check/src/lib.rs");
    for name in exo_control::LAWS {
        // `none` has no configuration, so no `export_law!` constructor: its tick is exported by hand.
        let marker = if *name == "none" { "exo_none_tick".to_string() } else { format!("export_law!(\"{name}\"") };
        assert!(source.contains(&marker), "crates/control-panic-check/src/lib.rs exports no `{name}` law ({marker})");
    }
}
