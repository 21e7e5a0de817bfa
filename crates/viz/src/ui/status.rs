//! The status line: simulated time, real-time factor, controller, supervisor state and any fault.

use exo_control::{Channel, FaultReason, SupervisorState};

use crate::live::LiveSim;
use crate::replay::Replay;

/// What the status line says.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Status {
    /// Scenario name, or what is replayed.
    pub source: String,
    /// Simulated time, s.
    pub time_s: f64,
    /// Scenario duration (replay: end of the recording), s.
    pub duration_s: f64,
    /// Measured real-time factor.
    pub real_time_factor: Option<f64>,
    /// Requested speed.
    pub speed: f64,
    /// Paused.
    pub paused: bool,
    /// The control law, readable ([`law_label`]).
    pub controller: String,
    /// Supervisor state.
    pub supervisor: String,
    /// A fault: the supervisor's latched stop, or the simulation's failure.
    pub fault: Option<String>,
    /// Any other message (a scenario that failed to load).
    pub notice: Option<String>,
}

impl Status {
    /// The line.
    #[must_use]
    pub fn line(&self) -> String {
        let state = match (self.paused, self.real_time_factor) {
            (true, _) => "paused".to_string(),
            (false, Some(r)) => format!("speed {:.1}× (real time {r:.2}×)", self.speed),
            (false, None) => format!("speed {:.1}×", self.speed),
        };
        let mut s = format!(
            "{} │ t = {:.3} s / {:.1} s │ {state} │ controller: {} │ supervisor: {} │ fault: {}",
            self.source,
            self.time_s,
            self.duration_s,
            self.controller,
            self.supervisor,
            self.fault.as_deref().unwrap_or("none"),
        );
        if let Some(n) = &self.notice {
            s.push_str(" │ ");
            s.push_str(n);
        }
        s
    }
}

/// A readable name of a control law from its scenario name (`sea_torque` -> `sea torque`), whatever the law: the
/// visualiser knows no list of laws.
#[must_use]
pub fn law_label(name: &str) -> String {
    name.replace('_', " ")
}

/// `what`, followed by the name of the controlled joint `joint` indexes in `joints`, if any.
fn with_joint(what: &str, joint: Option<u8>, joints: &[&str]) -> String {
    match joint.and_then(|j| joints.get(usize::from(j))) {
        Some(j) => format!("{what} ({j})"),
        None => what.to_string(),
    }
}

/// Supervisor state and fault of a live simulation.
#[must_use]
pub fn live_supervisor(live: &LiveSim) -> (String, Option<String>) {
    live.read_loop(|sim| {
        let joints: Vec<&str> = (0..sim.joint_count()).filter_map(|k| sim.joint_name(k)).collect();
        let out = sim.output();
        let state = match (sim.ticks(), out.state) {
            (0, _) | (_, SupervisorState::Active) => "active".to_string(),
            (_, SupervisorState::Limited) => {
                with_joint(&format!("limited: {}", out.reason.describe()), out.reason.joint(), &joints)
            }
            (_, SupervisorState::SafeStop) => "SAFE STOP".to_string(),
        };
        let fault = match (live.failure(), sim.controller().latched()) {
            (Some(f), _) => Some(format!("simulation stopped: {f}")),
            (None, FaultReason::None) => None,
            (None, r) => Some(with_joint(r.describe(), r.joint(), &joints)),
        };
        (state, fault)
    })
}

/// One reason of each kind, for reading recorded reason codes back ([`FaultReason::code`] is not invertible:
/// the joint and the channel are not recorded).
const REASONS: [FaultReason; 16] = [
    FaultReason::None,
    FaultReason::SoftWall(0),
    FaultReason::TorqueLimit(0),
    FaultReason::TorqueRateLimit(0),
    FaultReason::NonFiniteSensor { channel: Channel::JointPosition, joint: 0 },
    FaultReason::NonFiniteCommand,
    FaultReason::InvalidTick,
    FaultReason::StaleFrame,
    FaultReason::HardLimit(0),
    FaultReason::Overspeed(0),
    FaultReason::SensorOutOfRange { channel: Channel::JointPosition, joint: 0 },
    FaultReason::SensorRate { channel: Channel::JointPosition, joint: 0 },
    FaultReason::SensorStale { channel: Channel::JointPosition, joint: 0 },
    FaultReason::SpringTorqueMismatch(0),
    FaultReason::EncoderMismatch(0),
    FaultReason::NonFiniteSetpoint,
];

/// The description of a recorded supervisor reason code (see [`FaultReason::code`]), as
/// [`FaultReason::describe`] gives it.
#[must_use]
pub fn reason_of_code(code: u8) -> &'static str {
    REASONS.iter().find(|r| r.code() == code).map_or("unknown reason", FaultReason::describe)
}

/// Supervisor state and fault at the playback time of a replay.
#[must_use]
pub fn replay_supervisor(replay: &Replay) -> (String, Option<String>) {
    let value = |name: &str| replay.column(name).map(|c| replay.value(c)).filter(|v| v.is_finite());
    let reason = reason_of_code(value("supervisor_reason").map_or(0, |v| v.round().clamp(0.0, 255.0) as u8));
    match value("supervisor_state").map(f64::round) {
        Some(2.0) => ("SAFE STOP".to_string(), Some(reason.to_string())),
        Some(1.0) => (format!("limited: {reason}"), None),
        Some(_) => ("active".to_string(), None),
        None => ("not recorded".to_string(), None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_names_time_rate_controller_supervisor_and_fault() {
        let s = Status {
            source: "walking-assist".into(),
            time_s: 3.21456,
            duration_s: 10.0,
            real_time_factor: Some(0.98),
            speed: 1.0,
            paused: false,
            controller: law_label("sea_torque"),
            supervisor: "active".into(),
            fault: None,
            notice: None,
        };
        let line = s.line();
        for part in [
            "walking-assist",
            "t = 3.215 s / 10.0 s",
            "(real time 0.98×)",
            "controller: sea torque │",
            "supervisor: active",
            "fault: none",
        ] {
            assert!(line.contains(part), "{line} lacks {part}");
        }
        assert_eq!(reason_of_code(14), FaultReason::HardLimit(1).describe());
        assert_eq!(reason_of_code(13), FaultReason::StaleFrame.describe());
        assert_eq!(reason_of_code(19), FaultReason::SpringTorqueMismatch(0).describe());
        assert_eq!(reason_of_code(0), "none");
        assert_eq!(reason_of_code(200), "unknown reason");
    }
}
