//! The scenario reference page (`docs/scenarios.md`), generated from the schema's JSON Schema so that the
//! documentation cannot drift from the code: every field with its type, default and the doc comment that
//! carries its unit.

use std::fmt::Write as _;

use serde_json::Value;

use super::schema::Scenario;

fn resolve<'a>(root: &'a Value, v: &'a Value) -> &'a Value {
    if let Some(r) = v.get("$ref").and_then(Value::as_str)
        && let Some(name) = r.strip_prefix("#/$defs/")
        && let Some(d) = root.get("$defs").and_then(|d| d.get(name))
    {
        return d;
    }
    v
}

/// A short type description.
fn type_of(root: &Value, v: &Value) -> String {
    let v = resolve(root, v);
    if let Some(e) = v.get("enum").and_then(Value::as_array) {
        return e.iter().map(|x| format!("`{}`", x.as_str().unwrap_or("?"))).collect::<Vec<_>>().join(" \\| ");
    }
    if let Some(alts) = v.get("anyOf").or_else(|| v.get("oneOf")).and_then(Value::as_array) {
        let parts: Vec<String> = alts
            .iter()
            .filter(|a| a.get("type").and_then(Value::as_str) != Some("null"))
            .map(|a| {
                if let Some(c) = resolve(root, a).get("const").and_then(Value::as_str) {
                    return format!("`{c}`");
                }
                if let Some(c) = resolve(root, a)
                    .get("properties")
                    .and_then(|p| p.get("kind"))
                    .and_then(|p| p.get("const"))
                    .and_then(Value::as_str)
                {
                    return format!("`{c}`");
                }
                type_of(root, a)
            })
            .collect();
        let optional = alts.iter().any(|a| a.get("type").and_then(Value::as_str) == Some("null"));
        return format!("{}{}", parts.join(" \\| "), if optional { " (optional)" } else { "" });
    }
    match v.get("type") {
        Some(Value::String(t)) if t == "array" => {
            let n = v.get("minItems").and_then(Value::as_u64);
            let item = v.get("items").map_or("?".into(), |i| type_of(root, i));
            match n {
                Some(n) if v.get("maxItems").and_then(Value::as_u64) == Some(n) => format!("[{item}; {n}]"),
                _ => format!("list of {item}"),
            }
        }
        Some(Value::String(t)) if t == "object" => "table".into(),
        Some(Value::String(t)) => t.replace("number", "float"),
        Some(Value::Array(ts)) => {
            ts.iter().filter_map(Value::as_str).filter(|t| *t != "null").collect::<Vec<_>>().join("/")
        }
        _ => "value".into(),
    }
}

fn default_text(v: &Value) -> String {
    match v.get("default") {
        None => "—".into(),
        Some(Value::Null) => "none".into(),
        Some(d) => {
            let s = d.to_string();
            let s = if s.len() > 60 { format!("{}…", &s[..57]) } else { s };
            format!("`{s}`")
        }
    }
}

fn object_props<'a>(root: &'a Value, v: &'a Value) -> Option<&'a serde_json::Map<String, Value>> {
    let v = resolve(root, v);
    if let Some(p) = v.get("properties").and_then(Value::as_object) {
        return Some(p);
    }
    // Option<Table>: anyOf [ {$ref}, null ].
    v.get("anyOf").and_then(Value::as_array).and_then(|alts| {
        alts.iter().find_map(|a| {
            let r = resolve(root, a);
            r.get("properties").and_then(Value::as_object)
        })
    })
}

fn section(out: &mut String, root: &Value, path: &str, v: &Value, depth: usize) {
    let Some(props) = object_props(root, v) else { return };
    let desc = resolve(root, v).get("description").and_then(Value::as_str).unwrap_or("");
    let _ = writeln!(
        out,
        "\n{} `{}`\n",
        "#".repeat((depth + 2).min(4)),
        if path.is_empty() { "(top level)" } else { path }
    );
    if !desc.is_empty() && !path.is_empty() {
        let _ = writeln!(out, "{}\n", desc.replace('\n', " "));
    }
    let _ = writeln!(out, "| field | type | default | meaning |\n|---|---|---|---|");
    let mut nested = Vec::new();
    for (name, p) in props {
        let full = if path.is_empty() { name.clone() } else { format!("{path}.{name}") };
        let d = p.get("description").and_then(Value::as_str).unwrap_or("").replace('\n', " ").replace('|', "\\|");
        let default = if object_props(root, p).is_some() { "see below".to_string() } else { default_text(p) };
        let _ = writeln!(out, "| `{name}` | {} | {default} | {d} |", type_of(root, p));
        if object_props(root, p).is_some() {
            nested.push((full, p));
        } else if let Some(items) = resolve(root, p).get("items")
            && object_props(root, items).is_some()
        {
            nested.push((format!("{full}[]"), items));
        } else if let Some(values) = resolve(root, p).get("additionalProperties")
            && object_props(root, values).is_some()
        {
            // A table keyed by name (joint, actuator): one section for its entries.
            nested.push((format!("{full}.<name>"), values));
        }
    }
    for (full, p) in nested {
        section(out, root, &full, p, depth + 1);
    }
}

/// The whole reference page, in Markdown.
#[must_use]
pub fn reference_markdown() -> String {
    let schema = schemars::schema_for!(Scenario);
    let root = schema.as_value();
    let mut out = String::from(
        "# Scenario file reference\n\n\
         Generated by `exosim schema` from the scenario types in `crates/sim/src/scenario/schema.rs` and the laws \
         in `crates/sim/src/control/laws/` (a test \
         checks that this file is up to date). Scenario files are TOML with `schema_version = 2`. Every unit is in \
         the field's name or its meaning; unknown keys are errors; `exosim resolve FILE` prints a scenario with \
         every default filled in, and `--set path.to.field=value` overrides a field from the command line.\n\n\
         Per-joint values (type `PerJoint`) take a number for every joint, a list with one number per joint in the \
         device's joint order, or a table by joint name or kind (`{ hip = 3.0, knee = 2.5 }`, with `all` for the \
         joints not named). The one-legged wearer's own arrays (`human`, `motion`) are hip, knee, ankle. Angles follow \
         OpenSim's signs: hip flexion +, knee flexion -, ankle dorsiflexion +. `[controller] law` chooses the law, \
         and only that law's section `[controller.<law>]` may be present.\n",
    );
    section(&mut out, root, "", root, 0);
    out
}
