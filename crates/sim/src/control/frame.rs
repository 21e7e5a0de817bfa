//! One tick's sensor frame and the firmware's output, one entry per joint of the device.

use exo_control::{FaultReason, Real, SVector, SensorFrame, Setpoint, SupervisorState};

/// What the device's sensors report this tick (after quantisation, noise, delay and faults) and what the host
/// asks for: the simulation's side of exo-control's [`SensorFrame`], one entry per joint.
#[derive(Debug, PartialEq)]
pub struct Frame {
    /// Counter of fresh samples; it stops when the frame stops updating.
    pub sequence: u32,
    /// Joint angle from the joint-side encoder, rad.
    pub joint_position_rad: Vec<f64>,
    /// Joint velocity estimate, rad/s.
    pub joint_velocity_rad_per_s: Vec<f64>,
    /// Motor angle over the gear ratio, rad.
    pub motor_position_rad: Vec<f64>,
    /// Motor velocity over the gear ratio, rad/s.
    pub motor_velocity_rad_per_s: Vec<f64>,
    /// Joint torque from the series spring or the gear mesh, N m.
    pub joint_torque_nm: Vec<f64>,
    /// Interaction torque from the cuffs, referred to the joint, N m.
    pub interaction_torque_nm: Vec<f64>,
    /// Foot contact of each joint's side (insole).
    pub foot_contact: Vec<bool>,
    /// Pitch of the device's base from its inertial sensor, rad.
    pub base_pitch_rad: f64,
    /// Desired joint angle, rad.
    pub setpoint_position_rad: Vec<f64>,
    /// Desired joint velocity, rad/s.
    pub setpoint_velocity_rad_per_s: Vec<f64>,
    /// Desired (or feedforward) joint torque, N m.
    pub setpoint_torque_nm: Vec<f64>,
}

impl Clone for Frame {
    fn clone(&self) -> Self {
        let mut f = Frame::new(0);
        f.clone_from(self);
        f
    }

    /// Copies `source` into this frame's buffers: no allocation between frames of the same joint count (the
    /// sensors' delay line copies a frame every tick).
    fn clone_from(&mut self, source: &Self) {
        self.sequence = source.sequence;
        self.base_pitch_rad = source.base_pitch_rad;
        self.foot_contact.clone_from(&source.foot_contact);
        for (dst, (_, src)) in self.fields_mut().into_iter().zip(source.fields()) {
            dst.clear();
            dst.extend_from_slice(src);
        }
    }
}

impl Frame {
    /// A zero frame for `joints` joints.
    #[must_use]
    pub fn new(joints: usize) -> Self {
        let z = vec![0.0; joints];
        Self {
            sequence: 0,
            joint_position_rad: z.clone(),
            joint_velocity_rad_per_s: z.clone(),
            motor_position_rad: z.clone(),
            motor_velocity_rad_per_s: z.clone(),
            joint_torque_nm: z.clone(),
            interaction_torque_nm: z.clone(),
            foot_contact: vec![false; joints],
            base_pitch_rad: 0.0,
            setpoint_position_rad: z.clone(),
            setpoint_velocity_rad_per_s: z.clone(),
            setpoint_torque_nm: z,
        }
    }

    /// Number of joints.
    #[must_use]
    pub fn joints(&self) -> usize {
        self.joint_position_rad.len()
    }

    /// The per-joint numeric fields, with their column suffixes (frame logs write `{joint}_{suffix}`), in a fixed
    /// order.
    #[must_use]
    pub fn fields(&self) -> [(&'static str, &[f64]); 9] {
        [
            ("joint_position_rad", &self.joint_position_rad),
            ("joint_velocity_rad_per_s", &self.joint_velocity_rad_per_s),
            ("motor_position_rad", &self.motor_position_rad),
            ("motor_velocity_rad_per_s", &self.motor_velocity_rad_per_s),
            ("joint_torque_nm", &self.joint_torque_nm),
            ("interaction_torque_nm", &self.interaction_torque_nm),
            ("setpoint_position_rad", &self.setpoint_position_rad),
            ("setpoint_velocity_rad_per_s", &self.setpoint_velocity_rad_per_s),
            ("setpoint_torque_nm", &self.setpoint_torque_nm),
        ]
    }

    /// Mutable access to the fields of [`Frame::fields`], same order.
    pub fn fields_mut(&mut self) -> [&mut Vec<f64>; 9] {
        [
            &mut self.joint_position_rad,
            &mut self.joint_velocity_rad_per_s,
            &mut self.motor_position_rad,
            &mut self.motor_velocity_rad_per_s,
            &mut self.joint_torque_nm,
            &mut self.interaction_torque_nm,
            &mut self.setpoint_position_rad,
            &mut self.setpoint_velocity_rad_per_s,
            &mut self.setpoint_torque_nm,
        ]
    }

    /// True when every number in the frame (setpoint included) is finite.
    #[must_use]
    pub fn is_finite(&self) -> bool {
        self.base_pitch_rad.is_finite() && self.fields().iter().all(|(_, v)| v.iter().all(|x| x.is_finite()))
    }

    /// exo-control's fixed-size frame in scalar `T` (each number rounded as `T::from_subset` rounds: to nearest).
    /// `N` must be [`Frame::joints`]; extra joints read zero.
    #[must_use]
    pub fn to_fixed<T: Real, const N: usize>(&self) -> SensorFrame<T, N> {
        let v = |x: &[f64]| SVector::<T, N>::from_fn(|j, _| T::from_subset(x.get(j).unwrap_or(&0.0)));
        SensorFrame {
            sequence: self.sequence,
            joint_position_rad: v(&self.joint_position_rad),
            joint_velocity_rad_per_s: v(&self.joint_velocity_rad_per_s),
            motor_position_rad: v(&self.motor_position_rad),
            motor_velocity_rad_per_s: v(&self.motor_velocity_rad_per_s),
            joint_torque_nm: v(&self.joint_torque_nm),
            interaction_torque_nm: v(&self.interaction_torque_nm),
            foot_contact: core::array::from_fn(|j| self.foot_contact.get(j).copied().unwrap_or(false)),
            base_pitch_rad: T::from_subset(&self.base_pitch_rad),
            setpoint: Setpoint {
                position_rad: v(&self.setpoint_position_rad),
                velocity_rad_per_s: v(&self.setpoint_velocity_rad_per_s),
                torque_nm: v(&self.setpoint_torque_nm),
            },
        }
    }
}

/// What one firmware tick commanded.
#[derive(Clone, Debug, PartialEq)]
pub struct Output {
    /// The law's command to the drivers, joint-referred, N m.
    pub command_torque_nm: Vec<f64>,
    /// The torque the law is trying to deliver (its assistance or impedance target), N m.
    pub demand_nm: Vec<f64>,
    /// What the supervisor let through to the drivers, N m.
    pub torque_nm: Vec<f64>,
    /// The supervisor's state after the tick.
    pub state: SupervisorState,
    /// Why the state is not active.
    pub reason: FaultReason,
}

impl Output {
    /// A zero output for `joints` joints.
    #[must_use]
    pub fn new(joints: usize) -> Self {
        Self {
            command_torque_nm: vec![0.0; joints],
            demand_nm: vec![0.0; joints],
            torque_nm: vec![0.0; joints],
            state: SupervisorState::Active,
            reason: FaultReason::None,
        }
    }
}
