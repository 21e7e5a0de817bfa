//! Running an `f32` control law inside the `f64` simulator, as firmware on a single-precision FPU runs it.

use exo_control::{Command, ConfigError, ControlLaw, ParamId, ParamInfo, SensorFrame, Setpoint};

/// An `f32` law seen as an `f64` one: each sensor frame is rounded to `f32` (what the firmware's drivers would
/// hand it), the law computes in `f32`, and its command is widened back exactly.
///
/// This shows what single precision does to a loop: integrators that stop moving when the increment falls
/// below the accumulator's resolution, quantised small differences in derivative and velocity terms.
pub struct SinglePrecision {
    law: Box<dyn ControlLaw<f32, 3> + Send>,
}

impl SinglePrecision {
    /// Wraps `law`.
    #[must_use]
    pub fn new(law: Box<dyn ControlLaw<f32, 3> + Send>) -> Self {
        Self { law }
    }
}

/// Rounds a frame to single precision.
#[must_use]
pub fn frame_to_f32(f: &SensorFrame<f64, 3>) -> SensorFrame<f32, 3> {
    let n = |v: &exo_control::SVector<f64, 3>| v.map(|x| x as f32);
    SensorFrame {
        sequence: f.sequence,
        joint_position_rad: n(&f.joint_position_rad),
        joint_velocity_rad_per_s: n(&f.joint_velocity_rad_per_s),
        motor_position_rad: n(&f.motor_position_rad),
        motor_velocity_rad_per_s: n(&f.motor_velocity_rad_per_s),
        joint_torque_nm: n(&f.joint_torque_nm),
        interaction_torque_nm: n(&f.interaction_torque_nm),
        foot_contact: f.foot_contact,
        base_pitch_rad: f.base_pitch_rad as f32,
        setpoint: Setpoint {
            position_rad: n(&f.setpoint.position_rad),
            velocity_rad_per_s: n(&f.setpoint.velocity_rad_per_s),
            torque_nm: n(&f.setpoint.torque_nm),
        },
    }
}

impl ControlLaw<f64, 3> for SinglePrecision {
    fn name(&self) -> &'static str {
        self.law.name()
    }

    fn reads(&self) -> exo_control::Channels {
        self.law.reads()
    }

    fn update(&mut self, frame: &SensorFrame<f64, 3>, dt_s: f64) -> Command<f64, 3> {
        let c = self.law.update(&frame_to_f32(frame), dt_s as f32);
        Command { torque_nm: c.torque_nm.map(f64::from), demand_nm: c.demand_nm.map(f64::from) }
    }

    fn reset(&mut self) {
        self.law.reset();
    }

    fn parameters(&self) -> &'static [ParamInfo] {
        self.law.parameters()
    }

    fn parameter(&self, id: ParamId) -> Option<f64> {
        self.law.parameter(id).map(f64::from)
    }

    fn set_parameter(&mut self, id: ParamId, value: f64) -> Result<(), ConfigError> {
        self.law.set_parameter(id, value as f32)
    }

    fn gait_phase(&self) -> Option<f64> {
        self.law.gait_phase().map(f64::from)
    }
}
