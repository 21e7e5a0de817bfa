//! A control law of your own, run in the simulation and then replayed from the run's frame log.
//!
//! The law implements exo-control's [`ControlLaw`] (as firmware would), here a virtual spring pulling the knee
//! towards extension in proportion to how far it is bent beyond a threshold, and is put into a scenario's
//! simulation in place of the scenario's own law. The frame log of the run then replays through a fresh
//! instance of the same law bit for bit.
//!
//! `cargo run --release --example custom_law`

use std::path::Path;

use exo_control::{
    Channel, Channels, Command, ConfigError, ControlLaw, ParamId, ParamInfo, Problem, Real, SVector, SensorFrame,
};
use exo_sim::control::Firmware;
use exo_sim::scenario::{self, SupervisorSpec};
use exo_sim::simulation::{Simulation, replay};

/// Pulls each joint towards `threshold_rad` with `stiffness` once it is bent beyond it.
#[derive(Clone, Debug)]
struct ExtensionSpring<T: Real, const N: usize> {
    threshold_rad: T,
    stiffness_nm_per_rad: T,
    limit_nm: T,
}

const PARAMS: &[ParamInfo] = &[ParamInfo { name: "stiffness_nm_per_rad", min: 0.0, max: 200.0 }];

impl<T: Real, const N: usize> ControlLaw<T, N> for ExtensionSpring<T, N> {
    fn name(&self) -> &'static str {
        "extension_spring"
    }

    fn reads(&self) -> Channels {
        Channels::of(&[Channel::JointPosition])
    }

    fn update(&mut self, frame: &SensorFrame<T, N>, _dt_s: T) -> Command<T, N> {
        let tau = SVector::<T, N>::from_fn(|j, _| {
            let bent = self.threshold_rad - frame.joint_position_rad[j];
            let t = if bent > T::zero() { self.stiffness_nm_per_rad * bent } else { T::zero() };
            if t > self.limit_nm { self.limit_nm } else { t }
        });
        Command::torque(tau)
    }

    fn reset(&mut self) {}

    fn parameters(&self) -> &'static [ParamInfo] {
        PARAMS
    }

    fn parameter(&self, id: ParamId) -> Option<T> {
        (id.index == 0).then_some(self.stiffness_nm_per_rad)
    }

    fn set_parameter(&mut self, id: ParamId, value: T) -> Result<(), ConfigError> {
        if id.index != 0 {
            return Err(ConfigError::new("parameter", Problem::UnknownParameter));
        }
        self.stiffness_nm_per_rad = value;
        Ok(())
    }
}

fn firmware(spec: &SupervisorSpec) -> Result<Box<Firmware<f64, 1>>, ConfigError> {
    let law = ExtensionSpring::<f64, 1> { threshold_rad: -0.6, stiffness_nm_per_rad: 40.0, limit_nm: 20.0 };
    Ok(Box::new(Firmware::new(Box::new(law), spec.config::<f64, 1>())?))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The knee-rehab exercise: a weak patient's knee flexed and extended on a fixed pelvis.
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/knee-rehab.toml");
    let loaded = scenario::load(&path, &["simulation.duration_s=6.0".to_string()])?;
    let mut parts = scenario::build(&loaded, true)?;
    // The scenario's own supervisor settings, for our one-joint device.
    let spec = parts.supervisor.clone();
    parts.controller = firmware(&spec)?;
    let mut sim = Simulation::new(parts);
    sim.log_frames();
    sim.run(6.0, |_| {}, || false)?;
    let s = sim.summary();
    let knee = s.actuators.first().ok_or("no actuator")?;
    println!(
        "{} with `extension_spring`: {:.2} N m rms delivered at the {}",
        s.scenario, knee.delivered_rms_nm, knee.joint
    );
    // The frame log through a fresh instance of the law: the same code on the same frames commands the same.
    let log = sim.frame_log().ok_or("no frame log")?;
    let report = replay(firmware(&spec)?.as_mut(), log);
    println!("replayed {} ticks: first difference {:?}", report.ticks, report.first_mismatch);
    assert!(report.first_mismatch.is_none(), "a replay through the same law must match the log bit for bit");
    Ok(())
}
