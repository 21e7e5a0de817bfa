//! The recorded channels: each defined once, with its name, its unit and where its value comes from, so that the
//! header and the rows of `timeseries.csv` cannot disagree.

use exo_control::SupervisorState;

use super::recorder::Channel;
use crate::actuator::Actuator;
use crate::control::{Frame, Output};
use crate::world::World;

/// Where a channel's value comes from at one instant of the run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// Simulated time, s.
    Time,
    /// Angle of wearer coordinate `i`.
    WearerQ(usize),
    /// Reference angle of wearer coordinate `i`, sampled at the same instant.
    WearerQRef(usize),
    /// Wearer torque at coordinate `i` computed at this instant (held over the coming step).
    HumanTorque(usize),
    /// Angle of device joint `i`.
    DeviceQ(usize),
    /// Torque the actuator coupling of device joint `i` delivers now.
    DeviceTorque(usize),
    /// Interaction torque of the cuffs on device joint `i`.
    DeviceInteraction(usize),
    /// The law's demand at controlled joint `j`.
    Demand(usize),
    /// The supervised command at controlled joint `j`.
    Command(usize),
    /// Motor current of controlled joint `j`.
    Current(usize),
    /// Motor voltage of controlled joint `j`.
    Voltage(usize),
    /// Winding temperature of controlled joint `j`.
    Winding(usize),
    /// Rotor speed of controlled joint `j`.
    MotorSpeed(usize),
    /// Normal force of cuff `c`.
    CuffNormal(usize),
    /// Shear force of cuff `c`.
    CuffShear(usize),
    /// Moment of cuff `c` on the limb.
    CuffMoment(usize),
    /// Horizontal ground force on the foot.
    FootForceX,
    /// Vertical ground force on the foot.
    FootForceZ,
    /// Pelvis position, forward.
    PelvisX,
    /// Pelvis position, up.
    PelvisZ,
    /// Pelvis pitch.
    PelvisPitch,
    /// Gait phase (the law's estimate if it has one, else the reference's).
    GaitPhase,
    /// Foot contact the first controlled joint's insole reports.
    FootContact,
    /// Supervisor state: 0 active, 1 limited, 2 safe stop.
    SupervisorState,
    /// Supervisor reason code.
    SupervisorReason,
    /// Net battery energy drawn by every actuator.
    BatteryEnergy,
    /// Generalised coordinate `i` of the whole model.
    Coordinate(usize),
}

/// What one recorded instant holds.
pub struct Instant<'a> {
    /// The world at this instant.
    pub world: &'a World,
    /// The actuators of the controlled joints.
    pub actuators: &'a [Actuator],
    /// The frame the controller saw this tick.
    pub frame: &'a Frame,
    /// What the controller commanded this tick.
    pub output: &'a Output,
    /// Wearer torques computed at this instant, N m.
    pub human_nm: &'a [f64],
    /// Reference angles at this instant, rad.
    pub q_ref: &'a [f64],
    /// Gait phase, if known.
    pub gait_phase: Option<f64>,
}

impl Source {
    /// The value at `at`.
    #[must_use]
    pub fn read(self, at: &Instant<'_>) -> f64 {
        let w = at.world;
        let r = w.readings();
        match self {
            Source::Time => w.time_s(),
            Source::WearerQ(i) => w.coordinate_q(i),
            Source::WearerQRef(i) => at.q_ref[i],
            Source::HumanTorque(i) => at.human_nm[i],
            Source::DeviceQ(i) => w.device_joint_state(i).0,
            Source::DeviceTorque(i) => r.exo_torque_nm[i],
            Source::DeviceInteraction(i) => r.exo_interaction_nm[i],
            Source::Demand(j) => at.output.demand_nm[j],
            Source::Command(j) => at.output.torque_nm[j],
            Source::Current(j) => at.actuators[j].state().current_a,
            Source::Voltage(j) => at.actuators[j].state().voltage_v,
            Source::Winding(j) => at.actuators[j].state().winding_c,
            Source::MotorSpeed(j) => at.actuators[j].state().rotor_speed_rad_per_s,
            Source::CuffNormal(c) => r.cuffs[c].normal_n,
            Source::CuffShear(c) => r.cuffs[c].shear_n,
            Source::CuffMoment(c) => r.cuffs[c].moment_on_limb_nm,
            Source::FootForceX => r.foot_force_n.x,
            Source::FootForceZ => r.foot_force_n.y,
            Source::PelvisX => w.pelvis_pose().origin_m.x,
            Source::PelvisZ => w.pelvis_pose().origin_m.y,
            Source::PelvisPitch => w.pelvis_pose().angle_rad,
            Source::GaitPhase => at.gait_phase.unwrap_or(f64::NAN),
            Source::FootContact => at.frame.foot_contact.first().map_or(f64::NAN, |c| f64::from(u8::from(*c))),
            Source::SupervisorState => match at.output.state {
                SupervisorState::Active => 0.0,
                SupervisorState::Limited => 1.0,
                SupervisorState::SafeStop => 2.0,
            },
            Source::SupervisorReason => f64::from(at.output.reason.code()),
            Source::BatteryEnergy => at.actuators.iter().map(|a| a.energy().drawn_j - a.energy().regenerated_j).sum(),
            Source::Coordinate(i) => w.state().q[i],
        }
    }
}

/// A recorded channel: its name and unit, and its source.
#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    /// Name and unit.
    pub channel: Channel,
    /// Where the value comes from.
    pub source: Source,
}

/// Every channel of a run, in file order: the wearer's coordinates, the device's joints and actuators
/// (`controlled[j]` is the device joint of controlled joint `j`), the cuffs, the foot, the pelvis, the
/// controller, and every generalised coordinate of the model (so that a replay can pose it).
#[must_use]
pub fn columns(world: &World, controlled: &[usize]) -> Vec<Column> {
    let mut out = Vec::new();
    let mut add =
        |name: String, unit: &'static str, source: Source| out.push(Column { channel: Channel { name, unit }, source });
    add("time_s".into(), "s", Source::Time);
    for (i, c) in world.coordinates().iter().enumerate() {
        let n = &c.name;
        add(format!("{n}_q_rad"), "rad", Source::WearerQ(i));
        add(format!("{n}_q_ref_rad"), "rad", Source::WearerQRef(i));
        add(format!("{n}_human_torque_nm"), "N m", Source::HumanTorque(i));
    }
    for (i, d) in world.device_joints().iter().enumerate() {
        let n = &d.name;
        add(format!("exo_{n}_q_rad"), "rad", Source::DeviceQ(i));
        add(format!("exo_{n}_torque_nm"), "N m", Source::DeviceTorque(i));
        add(format!("exo_{n}_interaction_nm"), "N m", Source::DeviceInteraction(i));
        if let Some(j) = controlled.iter().position(|c| *c == i) {
            add(format!("exo_{n}_demand_nm"), "N m", Source::Demand(j));
            add(format!("exo_{n}_command_nm"), "N m", Source::Command(j));
            add(format!("exo_{n}_current_a"), "A", Source::Current(j));
            add(format!("exo_{n}_voltage_v"), "V", Source::Voltage(j));
            add(format!("exo_{n}_winding_c"), "°C", Source::Winding(j));
            add(format!("exo_{n}_motor_speed_rad_per_s"), "rad/s", Source::MotorSpeed(j));
        }
    }
    for (k, c) in world.cuffs().iter().enumerate() {
        add(format!("{}_normal_n", c.name), "N", Source::CuffNormal(k));
        add(format!("{}_shear_n", c.name), "N", Source::CuffShear(k));
        add(format!("{}_moment_nm", c.name), "N m", Source::CuffMoment(k));
    }
    add("foot_force_x_n".into(), "N", Source::FootForceX);
    add("foot_force_z_n".into(), "N", Source::FootForceZ);
    add("pelvis_x_m".into(), "m", Source::PelvisX);
    add("pelvis_z_m".into(), "m", Source::PelvisZ);
    add("pelvis_pitch_rad".into(), "rad", Source::PelvisPitch);
    add("gait_phase".into(), "1", Source::GaitPhase);
    add("foot_contact".into(), "1", Source::FootContact);
    add("supervisor_state".into(), "1", Source::SupervisorState);
    add("supervisor_reason".into(), "1", Source::SupervisorReason);
    add("battery_energy_j".into(), "J", Source::BatteryEnergy);
    for (i, b) in world.model().bodies().iter().enumerate() {
        let unit = b.joint.coordinate_unit();
        add(format!("coord_{}_{}", b.name, if unit == "m" { "m" } else { "rad" }), unit, Source::Coordinate(i));
    }
    // Distinct sources, distinct names: a column is defined once.
    debug_assert!(out.iter().enumerate().all(|(k, c)| out[..k].iter().all(|d| d.channel.name != c.channel.name)));
    out
}
