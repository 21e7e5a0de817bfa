//! Reading a scenario: TOML syntax, `--set` overrides, schema and physical validation, each error located at
//! its file, line, column and field.

use std::fmt;
use std::path::{Path, PathBuf};

use super::schema::Scenario;

/// Where an error is: file, line and column (1-based), or the `--set` override that caused it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    /// The scenario file.
    pub file: String,
    /// Line and column, when the field appears in the file.
    pub line_column: Option<(usize, usize)>,
    /// The override that set the field, when it came from the command line.
    pub set_by: Option<String>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.line_column, &self.set_by) {
            (_, Some(set)) => write!(f, "{} (--set {set})", self.file),
            (Some((l, c)), None) => write!(f, "{}:{l}:{c}", self.file),
            (None, None) => write!(f, "{}", self.file),
        }
    }
}

/// A scenario that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// The file cannot be read.
    #[error("{file}: cannot read the scenario: {error}")]
    Io {
        /// The file.
        file: String,
        /// The I/O error.
        error: std::io::Error,
    },
    /// The file, an override or a field is wrong.
    #[error("{location}: {field}: {message}")]
    Invalid {
        /// Where.
        location: Location,
        /// The field path (`controller.sea.kp[1]`), or `syntax` for TOML syntax errors.
        field: String,
        /// What is wrong.
        message: String,
    },
}

impl ScenarioError {
    /// The field path of an invalid scenario.
    #[must_use]
    pub fn field(&self) -> Option<&str> {
        match self {
            ScenarioError::Invalid { field, .. } => Some(field),
            ScenarioError::Io { .. } => None,
        }
    }
}

/// The sections of the one-legged wearer, which an imported wearer (`[wearer]`) replaces.
const ONE_LEGGED_SECTIONS: [&str; 5] = ["subject", "pelvis", "motion", "human", "exoskeleton"];

/// A scenario with where it came from.
#[derive(Clone, Debug)]
pub struct LoadedScenario {
    /// The scenario, defaults filled in.
    pub scenario: Scenario,
    /// The file it was read from (assets are looked up beside it first).
    pub path: PathBuf,
    text: String,
    overrides: Vec<String>,
}

impl LoadedScenario {
    /// Locates a field path (`simulation.duration_s`, `faults[0].time_s`) in the file.
    #[must_use]
    pub fn locate(&self, field: &str) -> Location {
        locate(&self.text, &self.path.display().to_string(), &self.overrides, field)
    }

    /// An error on `field`, located.
    #[must_use]
    pub fn error(&self, field: impl Into<String>, message: impl Into<String>) -> ScenarioError {
        let field = field.into();
        ScenarioError::Invalid { location: self.locate(&field), field, message: message.into() }
    }

    /// A validation error, located at its field.
    #[must_use]
    pub fn invalid(&self, e: crate::error::ValidationError) -> ScenarioError {
        let message = match &e.value {
            Some(v) => format!("{} (got {v})", e.problem),
            None => e.problem,
        };
        self.error(e.field, message)
    }

    /// The overrides this scenario was loaded with (`path.to.field=value`), in order.
    #[must_use]
    pub fn overrides(&self) -> &[String] {
        &self.overrides
    }

    /// The same file loaded again with `more` overrides after its own (a later one wins), checked as a new load
    /// is: a sweep's point, a reset with another seed.
    ///
    /// # Errors
    /// An override is malformed or makes the scenario invalid.
    pub fn with_overrides(&self, more: &[String]) -> Result<LoadedScenario, ScenarioError> {
        let all: Vec<String> = self.overrides.iter().chain(more).cloned().collect();
        parse(&self.text, &self.path, &all)
    }
}

fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// Path segments: keys and array indices.
#[derive(Debug, PartialEq)]
enum Seg {
    Key(String),
    Index(usize),
}

fn segments(path: &str) -> Vec<Seg> {
    let mut out = Vec::new();
    for part in path.split('.') {
        let mut rest = part;
        if let Some(open) = rest.find('[') {
            if open > 0 {
                out.push(Seg::Key(rest[..open].to_string()));
            }
            rest = &rest[open..];
            while let Some(stripped) = rest.strip_prefix('[') {
                let close = stripped.find(']').unwrap_or(stripped.len());
                if let Ok(i) = stripped[..close].parse() {
                    out.push(Seg::Index(i));
                }
                rest = stripped.get(close + 1..).unwrap_or("");
            }
        } else if !rest.is_empty() {
            out.push(Seg::Key(rest.to_string()));
        }
    }
    out
}

fn locate(text: &str, file: &str, overrides: &[String], field: &str) -> Location {
    // An override that set this field (or a parent of it) wins.
    for o in overrides {
        let key = o.split('=').next().unwrap_or("").trim();
        // The override set this field, a parent of it, or (creating it) a field inside it.
        let within = |a: &str, b: &str| a == b || a.starts_with(&format!("{b}.")) || a.starts_with(&format!("{b}["));
        if !key.is_empty() && (within(field, key) || within(key, field)) {
            return Location { file: file.to_string(), line_column: None, set_by: Some(o.clone()) };
        }
    }
    let mut loc = Location { file: file.to_string(), line_column: None, set_by: None };
    let Ok(doc) = toml::de::DeTable::parse(text) else { return loc };
    // Walk as deep as the path goes; report the deepest span found (the key itself when present).
    let mut table = Some(doc.get_ref());
    let mut value: Option<&toml::Spanned<toml::de::DeValue<'_>>> = None;
    let mut best = None;
    for seg in segments(field) {
        match seg {
            Seg::Key(k) => {
                let Some(t) = table.or_else(|| match value.map(|v| v.get_ref()) {
                    Some(toml::de::DeValue::Table(t)) => Some(t),
                    _ => None,
                }) else {
                    break;
                };
                let Some((key, v)) = t.iter().find(|(key, _)| key.get_ref() == k.as_str()) else { break };
                best = Some(key.span().start);
                value = Some(v);
                table = None;
            }
            Seg::Index(i) => {
                let Some(toml::de::DeValue::Array(a)) = value.map(|v| v.get_ref()) else { break };
                let Some(v) = a.get(i) else { break };
                best = Some(v.span().start);
                value = Some(v);
                table = None;
            }
        }
    }
    loc.line_column = best.map(|o| line_column(text, o));
    loc
}

/// Sets `path = value` in a TOML table, creating tables on the way.
fn apply_override(table: &mut toml::Table, spec: &str) -> Result<(), String> {
    let (path, raw) = spec.split_once('=').ok_or("expected path.to.field=value")?;
    let (path, raw) = (path.trim(), raw.trim());
    if path.is_empty() {
        return Err("empty field path".into());
    }
    // Parse the value as TOML; a bare word that is not valid TOML is taken as a string.
    let value = match toml::from_str::<toml::Table>(&format!("v = {raw}")) {
        Ok(mut t) => t.remove("v").unwrap_or(toml::Value::String(raw.into())),
        Err(_) => toml::Value::String(raw.to_string()),
    };
    let segs = segments(path);
    let mut cur = table;
    for (k, seg) in segs.iter().enumerate() {
        let last = k + 1 == segs.len();
        match seg {
            Seg::Key(key) if last => {
                cur.insert(key.clone(), value);
                return Ok(());
            }
            Seg::Key(key) => {
                let entry = cur.entry(key.clone()).or_insert_with(|| toml::Value::Table(toml::Table::new()));
                if let Some(Seg::Index(i)) = segs.get(k + 1) {
                    let toml::Value::Array(a) = entry else { return Err(format!("{key} is not an array")) };
                    let slot = a.get_mut(*i).ok_or(format!("{key}[{i}] does not exist"))?;
                    if k + 2 == segs.len() {
                        *slot = value;
                        return Ok(());
                    }
                    let toml::Value::Table(t) = slot else { return Err(format!("{key}[{i}] is not a table")) };
                    // Skip the index segment.
                    return apply_rest(t, &segs[k + 2..], value);
                }
                // A per-joint number written for every joint, set for one: keep it for the others.
                if let toml::Value::Integer(_) | toml::Value::Float(_) = entry {
                    let mut t = toml::Table::new();
                    t.insert(super::per_joint::ALL.to_string(), entry.clone());
                    *entry = toml::Value::Table(t);
                }
                let toml::Value::Table(t) = entry else {
                    return Err(format!("{key} is not a table (a per-joint list is set by index: {key}[1]=...)"));
                };
                cur = t;
            }
            Seg::Index(_) => return Err("an index must follow a field name".into()),
        }
    }
    Ok(())
}

fn apply_rest(table: &mut toml::Table, segs: &[Seg], value: toml::Value) -> Result<(), String> {
    let mut cur = table;
    for (k, seg) in segs.iter().enumerate() {
        let Seg::Key(key) = seg else { return Err("nested indices are not supported".into()) };
        if k + 1 == segs.len() {
            cur.insert(key.clone(), value);
            return Ok(());
        }
        let entry = cur.entry(key.clone()).or_insert_with(|| toml::Value::Table(toml::Table::new()));
        let toml::Value::Table(t) = entry else { return Err(format!("{key} is not a table")) };
        cur = t;
    }
    Ok(())
}

/// Reads and validates a scenario file, applying `--set` overrides (`path=value`, the value in TOML).
///
/// Every error names the file, the line and column, and the field; an override that is wrong says so.
///
/// ```
/// use exo_sim::scenario;
///
/// let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/walking-assist.toml");
/// let loaded = scenario::load(&path, &["controller.assistance.profiles.hip.peak_torque_nm=15".to_string()])?;
/// assert_eq!(loaded.scenario.name, "walking-assist");
///
/// // An unknown key is an error, not a silent default.
/// let error = scenario::load(&path, &["simulation.duration=3".to_string()]).unwrap_err();
/// assert!(error.to_string().contains("simulation.duration"), "{error}");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn load(path: &Path, overrides: &[String]) -> Result<LoadedScenario, ScenarioError> {
    let text =
        std::fs::read_to_string(path).map_err(|error| ScenarioError::Io { file: path.display().to_string(), error })?;
    parse(&text, path, overrides)
}

/// Parses and validates scenario text that came from `path`.
pub fn parse(text: &str, path: &Path, overrides: &[String]) -> Result<LoadedScenario, ScenarioError> {
    let file = path.display().to_string();
    let mut table: toml::Table = toml::from_str(text).map_err(|e| ScenarioError::Invalid {
        location: Location {
            file: file.clone(),
            line_column: e.span().map(|s| line_column(text, s.start)),
            set_by: None,
        },
        field: "syntax".into(),
        message: e.message().to_string(),
    })?;
    for o in overrides {
        apply_override(&mut table, o).map_err(|message| ScenarioError::Invalid {
            location: Location { file: file.clone(), line_column: None, set_by: Some(o.clone()) },
            field: o.split('=').next().unwrap_or("").trim().to_string(),
            message,
        })?;
    }
    // An imported wearer replaces the one-legged wearer's sections: a file with both would have one silently ignored.
    if table.contains_key("wearer") {
        for key in ONE_LEGGED_SECTIONS {
            if table.contains_key(key) {
                let located = locate(text, &file, overrides, key);
                return Err(ScenarioError::Invalid {
                    location: located,
                    field: key.to_string(),
                    message: format!(
                        "`[{key}]` describes the one-legged wearer, and this scenario's wearer is imported \
                         (`[wearer]`): remove it (the device is the `[actuators]` named by joint and side)"
                    ),
                });
            }
        }
    }
    let shell = LoadedScenario {
        scenario: Scenario {
            schema_version: 2,
            name: String::new(),
            description: String::new(),
            simulation: Default::default(),
            subject: Default::default(),
            pelvis: Default::default(),
            motion: Default::default(),
            human: Default::default(),
            exoskeleton: None,
            wearer: None,
            actuators: Default::default(),
            sensors: Default::default(),
            controller: Default::default(),
            safety: Default::default(),
            faults: Vec::new(),
            outputs: Default::default(),
        },
        path: path.to_path_buf(),
        text: text.to_string(),
        overrides: overrides.to_vec(),
    };
    let scenario: Scenario = serde_path_to_error::deserialize(toml::Value::Table(table)).map_err(|e| {
        let mut field = e.path().to_string();
        // The TOML deserialiser appends its own "in `path`" context line: the field is reported separately.
        let full = e.inner().to_string();
        let message = full.lines().next().unwrap_or(&full).trim().to_string();
        // Unknown keys: point at the key itself.
        if let Some(rest) = message.strip_prefix("unknown field `")
            && let Some(key) = rest.split('`').next()
            && !field.ends_with(key)
        {
            field = if field == "." || field.is_empty() { key.to_string() } else { format!("{field}.{key}") };
        }
        shell.error(field, message)
    })?;
    let loaded = LoadedScenario { scenario, ..shell };
    if let Err(e) = loaded.scenario.validate() {
        return Err(loaded.invalid(e));
    }
    Ok(loaded)
}

impl Scenario {
    /// The scenario as TOML that [`parse`] reads back to the same scenario: with an imported wearer, the
    /// one-legged wearer's sections (which then hold only their defaults, and may not stand beside `[wearer]`) are
    /// left out.
    ///
    /// # Errors
    /// A value TOML cannot hold (not expected of a validated scenario).
    pub fn to_toml(&self) -> Result<String, toml::ser::Error> {
        let mut table = toml::Table::try_from(self)?;
        if self.wearer.is_some() {
            for key in ONE_LEGGED_SECTIONS {
                table.remove(key);
            }
        }
        toml::to_string_pretty(&table)
    }

    /// Physical and structural validation that the types alone cannot express; the error names the field.
    pub fn validate(&self) -> Result<(), crate::error::ValidationError> {
        fn err(f: &str, m: impl Into<String>) -> Result<(), crate::error::ValidationError> {
            Err(crate::error::ValidationError::new(f, m))
        }
        if self.schema_version == 1 {
            return err(
                "schema_version",
                "this is a version 1 scenario; version 2 puts each law's parameters in its own section \
                 (`[controller.sea]` became `[controller.<law>.torque_loop]`, assistance profiles moved to \
                 `[controller.assistance.profiles]`, `[controller.setpoint]` became the `sea_torque` law's `signal`), \
                 takes per-joint values as a number, a list in the device's joint order or a table by joint name, and \
                 names a fault's joint explicitly: see docs/scenarios.md",
            );
        }
        if self.schema_version != 2 {
            return err("schema_version", format!("must be 2 (got {})", self.schema_version));
        }
        if self.name.trim().is_empty() {
            return err("name", "must not be empty");
        }
        if let Some(w) = &self.wearer {
            w.tracking.validate().map_err(|e| e.within("wearer.tracking"))?;
            if let Some(f) = w.lowpass_hz {
                crate::error::above("wearer.lowpass_hz", f, 0.0)?;
            }
            crate::error::above("wearer.stride_fade_s", w.stride_fade_s, 0.0)?;
            if let Some(v) = w.walking_speed_m_per_s {
                crate::error::above("wearer.walking_speed_m_per_s", v, 0.0)?;
            }
            if let Some(t) = w.start_s
                && !t.is_finite()
            {
                return err("wearer.start_s", format!("must be a finite time in the trial, s (got {t})"));
            }
            let mass = |field: String, m: f64, max: f64, com: [f64; 2], inertia: f64| {
                if !(m.is_finite() && (0.0..=max).contains(&m)) {
                    return err(&format!("{field}.mass_kg"), format!("must be within 0..{max} kg (got {m})"));
                }
                if !com.iter().all(|c| c.is_finite() && c.abs() <= 2.0) {
                    return err(
                        &format!("{field}.com_m"),
                        format!("must be within 2 m of the body's origin (got {com:?})"),
                    );
                }
                if !(inertia.is_finite() && inertia >= 0.0) {
                    return err(
                        &format!("{field}.inertia_kg_m2"),
                        format!("must be a finite number >= 0 (got {inertia})"),
                    );
                }
                Ok(())
            };
            if let Some(p) = &w.backpack {
                mass("wearer.backpack".into(), p.mass_kg, 100.0, p.com_m, p.inertia_kg_m2)?;
                if p.compare_unloaded && (w.metabolics.is_none() || w.walking_speed_m_per_s.is_none()) {
                    return err(
                        "wearer.backpack.compare_unloaded",
                        "compares the metabolic cost with Pandolf's equation: needs wearer.metabolics and \
                         wearer.walking_speed_m_per_s",
                    );
                }
            }
            for (i, m) in w.device_masses.iter().enumerate() {
                mass(format!("wearer.device_masses[{i}]"), m.mass_kg, 50.0, m.com_m, m.inertia_kg_m2)?;
                if w.device_masses[..i].iter().any(|o| o.name == m.name) {
                    return err(&format!("wearer.device_masses[{i}].name"), format!("{} is named twice", m.name));
                }
            }
        }
        let s = &self.simulation;
        if !(s.duration_s.is_finite() && s.duration_s > 0.0 && s.duration_s <= 86_400.0) {
            return err("simulation.duration_s", format!("must be within (0, 86400] s (got {})", s.duration_s));
        }
        // The current-loop rate is checked against the actuators' own rates when the simulation is built; here
        // the steps are checked against the presets' common 20 kHz.
        let rate = 20_000.0;
        if let Err(e) = crate::simulation::Timing::new(s.physics_dt_s, s.control_dt_s, rate) {
            let field = match e {
                crate::simulation::TimingError::NotPositive { field, .. } => format!("simulation.{field}"),
                crate::simulation::TimingError::ControlNotMultiple { .. } => "simulation.control_dt_s".into(),
                crate::simulation::TimingError::CurrentLoopNotMultiple { .. } => "simulation.physics_dt_s".into(),
            };
            return Err(crate::error::ValidationError::new(field, e.to_string()));
        }
        if s.physics_dt_s > 0.01 {
            return err("simulation.physics_dt_s", format!("must be at most 0.01 s (got {})", s.physics_dt_s));
        }
        if !(s.record_rate_hz.is_finite() && s.record_rate_hz >= 0.0 && s.record_rate_hz <= 1.0 / s.control_dt_s + 1e-9)
        {
            return err(
                "simulation.record_rate_hz",
                format!("must be within [0, control rate {} Hz]", 1.0 / s.control_dt_s),
            );
        }
        if self.wearer.as_ref().is_some_and(|w| w.metabolics.is_some()) && s.record_rate_hz == 0.0 {
            return err(
                "simulation.record_rate_hz",
                "must be above 0 with wearer.metabolics: the muscles are analysed at the recorded rows",
            );
        }
        let b = &self.subject;
        if !(b.mass_kg.is_finite() && (20.0..=300.0).contains(&b.mass_kg)) {
            return err("subject.mass_kg", format!("must be within 20..300 kg (got {})", b.mass_kg));
        }
        if !(b.height_m.is_finite() && (1.0..=2.5).contains(&b.height_m)) {
            return err("subject.height_m", format!("must be within 1.0..2.5 m (got {})", b.height_m));
        }
        let p = &self.pelvis;
        if !(p.height_m.is_finite() && p.height_m >= 0.0 && p.height_m < 3.0) {
            return err("pelvis.height_m", format!("must be within [0, 3) m (got {})", p.height_m));
        }
        if !(p.backpack_kg.is_finite() && (0.0..=100.0).contains(&p.backpack_kg)) {
            return err("pelvis.backpack_kg", format!("must be within 0..100 kg (got {})", p.backpack_kg));
        }
        if let Some(h) = p.seat_height_m
            && !(h.is_finite() && h > 0.1 && h < 1.0)
        {
            return err("pelvis.seat_height_m", format!("must be within (0.1, 1.0) m (got {h})"));
        }
        if let Some(c) = &p.ground_contact {
            for (f, v) in [
                ("stiffness_n_per_m", c.stiffness_n_per_m),
                ("damping_n_s_per_m", c.damping_n_s_per_m),
                ("friction_coefficient", c.friction_coefficient),
                ("slip_speed_m_per_s", c.slip_speed_m_per_s),
            ] {
                if !(v.is_finite() && v > 0.0) {
                    return Err(crate::error::ValidationError::new(
                        format!("pelvis.ground_contact.{f}"),
                        format!("must be a finite number > 0 (got {v})"),
                    ));
                }
            }
        }
        let m = &self.motion;
        if !(m.harmonics >= 1 && m.harmonics <= 30) {
            return err("motion.harmonics", format!("must be within 1..30 (got {})", m.harmonics));
        }
        if !(m.time_scale.is_finite() && m.time_scale > 0.2 && m.time_scale < 5.0) {
            return err("motion.time_scale", format!("must be within (0.2, 5) (got {})", m.time_scale));
        }
        if matches!(m.kind, super::schema::MotionKind::Keyframes | super::schema::MotionKind::SitToStand) {
            if m.keyframes.len() < 2 {
                return err("motion.keyframes", "needs at least two keyframes");
            }
            if let Some(k) = m.keyframes.windows(2).position(|w| !(w[1][0] > w[0][0])) {
                return Err(crate::error::ValidationError::new(
                    format!("motion.keyframes[{}]", k + 1),
                    "times must be strictly increasing",
                ));
            }
        }
        if m.kind == super::schema::MotionKind::SitToStand {
            if self.pelvis.mode != super::schema::PelvisMode::Free {
                return err("pelvis.mode", "sit_to_stand needs a free pelvis (`mode = \"free\"`)");
            }
            if !(m.transfer_s.is_finite()
                && m.transfer_s > 0.0
                && m.seat_off_s.is_finite()
                && m.seat_off_s >= m.transfer_s)
            {
                return err("motion.seat_off_s", "must be finite with seat_off_s >= transfer_s > 0");
            }
        }
        if self.pelvis.mode == super::schema::PelvisMode::Free && m.kind != super::schema::MotionKind::SitToStand {
            return err("pelvis.mode", "a free pelvis is supported for `motion.kind = \"sit_to_stand\"`");
        }
        self.human.validate().map_err(|e| e.within("human"))?;
        if let Some(exo) = &self.exoskeleton {
            if self.subject.leg == super::schema::LegKind::Reference {
                return err("exoskeleton", "the reference leg cannot wear an exoskeleton");
            }
            exo.validate().map_err(|e| e.within("exoskeleton"))?;
        }
        self.sensors.validate(s.control_dt_s).map_err(|e| e.within("sensors"))?;
        for (k, f) in self.faults.iter().enumerate() {
            if !(f.time_s.is_finite() && f.time_s >= 0.0) {
                return Err(crate::error::ValidationError::new(
                    format!("faults[{k}].time_s"),
                    format!("must be a finite time >= 0 (got {})", f.time_s),
                ));
            }
            if !(f.duration_s > 0.0) {
                return Err(crate::error::ValidationError::new(format!("faults[{k}].duration_s"), "must be > 0"));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_split_into_keys_and_indices() {
        assert_eq!(
            segments("faults[2].time_s"),
            vec![Seg::Key("faults".into()), Seg::Index(2), Seg::Key("time_s".into())]
        );
    }

    #[test]
    fn locate_finds_nested_keys_and_array_items() {
        let text = "name = \"x\"\n[controller.sea]\nkp = [1.0, 2.0, 3.0]\n\n[[faults]]\ntime_s = 1.0\n";
        let l = locate(text, "f.toml", &[], "controller.sea.kp[1]");
        assert_eq!(l.line_column, Some((3, 12)));
        assert_eq!(locate(text, "f.toml", &[], "faults[0].time_s").line_column, Some((6, 1)));
        let o = locate(text, "f.toml", &["controller.sea.kp=[1,1,1]".into()], "controller.sea.kp[0]");
        assert!(o.set_by.is_some());
    }

    #[test]
    fn overrides_parse_values_and_create_tables() {
        let mut t: toml::Table = toml::from_str("[a]\nb = 1\nc = [1, 2]").unwrap();
        apply_override(&mut t, "a.b=2.5").unwrap();
        apply_override(&mut t, "x.y=hello").unwrap();
        apply_override(&mut t, "a.c[1]=7").unwrap();
        // A number becomes a per-joint table that keeps it for the joints not set.
        apply_override(&mut t, "a.b.knee=4").unwrap();
        assert_eq!(t["a"]["b"]["all"].as_float(), Some(2.5));
        assert_eq!(t["a"]["b"]["knee"].as_integer(), Some(4));
        assert_eq!(t["x"]["y"].as_str(), Some("hello"));
        assert_eq!(t["a"]["c"][1].as_integer(), Some(7));
        assert!(apply_override(&mut t, "nokey").is_err());
    }
}
