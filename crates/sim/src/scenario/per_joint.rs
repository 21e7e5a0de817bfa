//! Per-joint numbers in a scenario file: one value for every joint, a list in the device's joint order, or a
//! table keyed by joint name (`knee_r`) or joint kind (`knee`: both sides).

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::ValidationError;

/// A joint of the device as a scenario names it: its full name (`knee_r`, or `knee` on a one-legged wearer) and
/// its kind (`knee`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JointName {
    /// Full name.
    pub name: String,
    /// Kind (the name without its side).
    pub kind: String,
}

impl JointName {
    /// A joint named `name`; its kind is the name without a `_r`/`_l` side suffix.
    #[must_use]
    pub fn new(name: &str) -> Self {
        let kind = name.strip_suffix("_r").or_else(|| name.strip_suffix("_l")).unwrap_or(name);
        Self { name: name.to_string(), kind: kind.to_string() }
    }
}

/// The key of a per-joint table that gives the value of every joint it does not name.
pub const ALL: &str = "all";

/// A number per joint. Written as `3.0` (every joint), `[3.0, 2.5]` (in the order the device lists its joints)
/// or `{ hip = 3.0, knee = 2.5 }` (by joint name or kind; `all` gives the value of the joints the table does not
/// name, which otherwise take the field's default). `--set field.knee=5` on a field written as a number keeps
/// that number for the other joints (the override turns `field = 3.0` into `{ all = 3.0, knee = 5 }`).
#[derive(Clone, Debug, PartialEq)]
pub enum PerJoint {
    /// The same value for every joint.
    All(f64),
    /// One value per joint, in the device's joint order.
    List(Vec<f64>),
    /// Values by joint name or kind.
    Named(BTreeMap<String, f64>),
}

impl PerJoint {
    /// The values for `joints`, in order. A table's entries are matched by full name first, then by kind; a
    /// joint the table does not name takes `default`; a key that names no joint, or a list of the wrong length,
    /// is an error on `field`.
    pub fn resolve(&self, joints: &[JointName], field: &str, default: f64) -> Result<Vec<f64>, ValidationError> {
        self.resolve_with(joints, field, |_| default)
    }

    /// As [`PerJoint::resolve`], with a default that depends on the joint's kind (`hip`, `knee`, `ankle`).
    pub fn resolve_with(
        &self,
        joints: &[JointName],
        field: &str,
        default: impl Fn(&str) -> f64,
    ) -> Result<Vec<f64>, ValidationError> {
        self.resolve_indexed(joints, field, |j| default(&joints[j].kind))
    }

    /// As [`PerJoint::resolve`], with a default for each joint by its index.
    pub fn resolve_indexed(
        &self,
        joints: &[JointName],
        field: &str,
        default: impl Fn(usize) -> f64,
    ) -> Result<Vec<f64>, ValidationError> {
        match self {
            PerJoint::All(v) => Ok(vec![*v; joints.len()]),
            PerJoint::List(v) => {
                if v.len() == joints.len() {
                    Ok(v.clone())
                } else {
                    let names: Vec<&str> = joints.iter().map(|j| j.name.as_str()).collect();
                    Err(ValidationError::new(
                        field,
                        format!(
                            "has {} values but the device has {} joints ({}): give one per joint, one for all, or a \
                             table by joint name",
                            v.len(),
                            joints.len(),
                            names.join(", ")
                        ),
                    ))
                }
            }
            PerJoint::Named(t) => {
                if let Some(key) =
                    t.keys().find(|k| *k != ALL && !joints.iter().any(|j| &j.name == *k || &j.kind == *k))
                {
                    let names: Vec<&str> = joints.iter().map(|j| j.name.as_str()).collect();
                    return Err(ValidationError::new(
                        format!("{field}.{key}"),
                        format!("names no joint of the device ({})", names.join(", ")),
                    ));
                }
                Ok(joints
                    .iter()
                    .enumerate()
                    .map(|(k, j)| {
                        t.get(&j.name)
                            .or_else(|| t.get(&j.kind))
                            .or_else(|| t.get(ALL))
                            .copied()
                            .unwrap_or_else(|| default(k))
                    })
                    .collect())
            }
        }
    }

    /// The values for `joints` as a fixed array of `N` (the device's joint count, checked by the caller).
    pub fn resolve_array<const N: usize>(
        &self,
        joints: &[JointName],
        field: &str,
        default: f64,
    ) -> Result<[f64; N], ValidationError> {
        let v = self.resolve(joints, field, default)?;
        v.try_into().map_err(|_| ValidationError::new(field, format!("expected {N} joints")))
    }
}

/// The values of an optional per-joint field: the field's own when given, else `default` of each joint's kind.
pub fn resolve_optional(
    value: Option<&PerJoint>,
    joints: &[JointName],
    field: &str,
    default: impl Fn(&str) -> f64,
) -> Result<Vec<f64>, ValidationError> {
    match value {
        Some(v) => v.resolve_with(joints, field, default),
        None => Ok(joints.iter().map(|j| default(&j.kind)).collect()),
    }
}

impl From<f64> for PerJoint {
    fn from(v: f64) -> Self {
        PerJoint::All(v)
    }
}

impl Serialize for PerJoint {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            PerJoint::All(v) => s.serialize_f64(*v),
            PerJoint::List(v) => v.serialize(s),
            PerJoint::Named(t) => t.serialize(s),
        }
    }
}

struct PerJointVisitor;

impl<'de> Visitor<'de> for PerJointVisitor {
    type Value = PerJoint;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a number, a list of numbers (one per joint) or a table of numbers by joint name")
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<PerJoint, E> {
        Ok(PerJoint::All(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<PerJoint, E> {
        Ok(PerJoint::All(v as f64))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<PerJoint, E> {
        Ok(PerJoint::All(v as f64))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<PerJoint, A::Error> {
        let mut v = Vec::new();
        while let Some(x) = seq.next_element::<f64>()? {
            v.push(x);
        }
        Ok(PerJoint::List(v))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<PerJoint, A::Error> {
        let mut t = BTreeMap::new();
        while let Some((k, v)) = map.next_entry::<String, f64>()? {
            t.insert(k, v);
        }
        Ok(PerJoint::Named(t))
    }
}

impl<'de> Deserialize<'de> for PerJoint {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(PerJointVisitor)
    }
}

impl schemars::JsonSchema for PerJoint {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "PerJoint".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A number for every joint, a list with one per joint (device order), or a table by joint name or kind",
            "anyOf": [
                { "type": "number" },
                { "type": "array", "items": { "type": "number" } },
                { "type": "object", "additionalProperties": { "type": "number" } }
            ]
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn joints() -> Vec<JointName> {
        ["hip_r", "knee_r", "hip_l"].map(JointName::new).to_vec()
    }

    #[test]
    fn every_form_resolves_to_one_value_per_joint() {
        #[derive(Deserialize)]
        struct S {
            a: PerJoint,
            b: PerJoint,
            c: PerJoint,
        }
        let s: S = toml::from_str("a = 2\nb = [1.0, 2.0, 3.0]\nc = { hip = 5.0, hip_l = 6.0 }").unwrap();
        let all = PerJoint::Named([("all".to_string(), 9.0), ("knee".to_string(), 1.0)].into());
        assert_eq!(all.resolve(&joints(), "d", 0.0).unwrap(), [9.0, 1.0, 9.0]);
        assert_eq!(s.a.resolve(&joints(), "a", 0.0).unwrap(), [2.0; 3]);
        assert_eq!(s.b.resolve(&joints(), "b", 0.0).unwrap(), [1.0, 2.0, 3.0]);
        // The full name wins over the kind; a joint the table does not name takes the default.
        assert_eq!(s.c.resolve(&joints(), "c", -1.0).unwrap(), [5.0, -1.0, 6.0]);
    }

    #[test]
    fn wrong_lengths_and_unknown_joints_are_named() {
        let e = PerJoint::List(vec![1.0, 2.0]).resolve(&joints(), "x.kp", 0.0).unwrap_err();
        assert!(e.problem.contains("2 values but the device has 3 joints"), "{e}");
        let e = PerJoint::Named([("ankle".to_string(), 1.0)].into()).resolve(&joints(), "x.kp", 0.0).unwrap_err();
        assert_eq!(e.field, "x.kp.ankle");
    }

    #[test]
    fn kinds_strip_the_side() {
        assert_eq!(JointName::new("ankle_l").kind, "ankle");
        assert_eq!(JointName::new("knee").kind, "knee");
    }
}
