//! The supervisor trusts no sensor: for every law and every channel it reads, a reading that turns NaN,
//! infinite, out of its physical range or stuck latches the safe stop within one tick of becoming so, with the
//! channel and joint named, and the output stays bounded.
//!
//! Regression tests for the defect found in review: a NaN torque-sensor, interaction or motor-encoder reading
//! made the PID bank hold every joint's last output while the supervisor stayed active (only joint angle and
//! velocity were checked), so a firmware could keep pushing on a dead sensor.

use exo_control::{
    Channel, Channels, Command, FaultReason, SVector, SensorChecks, SensorFrame, Supervisor, SupervisorConfig,
    SupervisorState,
};

mod zoo;

const N: usize = 2;
const DT: f64 = 1e-3;
const LIMIT_NM: f64 = 40.0;
const SPRING_NM_PER_RAD: f64 = 300.0;
const STALE_TICKS: u32 = 5;

#[test]
fn zoo_covers_every_law() {
    zoo::assert_covers_every_law();
}

/// A supervisor watching every channel, with physical ranges a real device would have.
fn watchful() -> SupervisorConfig<f64, N> {
    let mut cfg = SupervisorConfig::<f64, N>::symmetric(1.5, 8.0, LIMIT_NM);
    cfg.watchdog_ticks = 1_000;
    cfg.sensors = SensorChecks {
        monitored: [Channels::ALL; N],
        joint_torque_range_nm: SVector::repeat(100.0),
        interaction_torque_range_nm: SVector::repeat(60.0),
        motor_velocity_range_rad_per_s: SVector::repeat(30.0),
        joint_torque_rate_range_nm_per_s: SVector::repeat(1e5),
        interaction_torque_rate_range_nm_per_s: SVector::repeat(1e5),
        spring_stiffness_nm_per_rad: SVector::repeat(SPRING_NM_PER_RAD),
        spring_torque_margin_nm: SVector::repeat(2.0),
        encoder_agreement_rad: SVector::repeat(f64::INFINITY),
        stale_ticks: STALE_TICKS,
        base_pitch_range_rad: 0.8,
    };
    cfg
}

/// A consistent, noisy, moving frame at tick `k`: joint swinging, spring deflected by a torque the torque channel
/// reports, every analog reading different from the last.
fn healthy(k: u32) -> SensorFrame<f64, N> {
    let t = f64::from(k) * DT;
    let mut f = SensorFrame::<f64, N>::default();
    f.sequence = k;
    let noise = |j: usize| 1e-3 * ((f64::from(k) * 7.3 + j as f64 * 1.7).sin());
    for j in 0..N {
        let q = 0.3 * (5.0 * t + j as f64).sin();
        let torque = 10.0 * (3.0 * t).sin() + noise(j);
        f.joint_position_rad[j] = q;
        f.joint_velocity_rad_per_s[j] = 1.5 * (5.0 * t + j as f64).cos();
        f.motor_position_rad[j] = q + torque / SPRING_NM_PER_RAD;
        f.motor_velocity_rad_per_s[j] = f.joint_velocity_rad_per_s[j];
        f.joint_torque_nm[j] = torque;
        f.interaction_torque_nm[j] = 2.0 * (2.0 * t).sin() + noise(j + 5);
        f.foot_contact[j] = (t * 1.1).fract() < 0.6;
    }
    f.base_pitch_rad = 0.05 * (t * 2.0).sin() + noise(9);
    f
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Fault {
    Nan,
    Infinite,
    OutOfRange,
    Stuck,
}

/// Applies `fault` to `channel` of joint `joint` (the base pitch ignores the joint). `held` is the value the
/// channel had when it stuck.
fn inject(f: &mut SensorFrame<f64, N>, channel: Channel, joint: usize, fault: Fault, held: f64) {
    let bad = match fault {
        Fault::Nan => f64::NAN,
        Fault::Infinite => f64::INFINITY,
        Fault::OutOfRange => match channel {
            Channel::JointPosition => 2.0,
            Channel::JointVelocity => 20.0,
            Channel::MotorPosition => 2.0,
            Channel::MotorVelocity => 50.0,
            Channel::JointTorque => 150.0,
            Channel::InteractionTorque => 90.0,
            Channel::BasePitch => 1.2,
            Channel::FootContact => unreachable!(),
        },
        Fault::Stuck => held,
    };
    match channel {
        Channel::BasePitch => f.base_pitch_rad = bad,
        c => f.channel_mut(c).unwrap()[joint] = bad,
    }
}

fn value(f: &SensorFrame<f64, N>, channel: Channel, joint: usize) -> f64 {
    match channel {
        Channel::BasePitch => f.base_pitch_rad,
        c => f.channel(c).unwrap()[joint],
    }
}

/// The tick (after the fault's onset) by which a stuck channel must have tripped: at once for a channel the
/// encoders or torque cross-check, after `STALE_TICKS` repeats for a noisy analog one. `None`: a stuck reading of
/// this channel is not detectable from the frame alone (see the test's note).
fn stuck_deadline(channel: Channel) -> Option<u32> {
    match channel {
        // Cross-checked: a stuck encoder or torque reading breaks `k (motor - joint) = torque` as soon as the
        // truth moves by more than the margin / k (2 N m / 300 N m/rad = 6.7 mrad). The test frame moves 1.5 mrad
        // per tick, so within 5 ticks; the test asserts the exact first tick the inequality fails.
        Channel::JointPosition | Channel::MotorPosition | Channel::JointTorque => Some(0),
        Channel::InteractionTorque | Channel::BasePitch => Some(STALE_TICKS),
        Channel::JointVelocity | Channel::MotorVelocity | Channel::FootContact => None,
    }
}

fn assert_bounded(out: &Command<f64, N>) {
    for t in out.torque_nm.iter() {
        assert!(t.is_finite() && t.abs() <= LIMIT_NM, "unbounded output {out:?}");
    }
}

/// The matrix: every law x every channel it reads (and the encoders every law's supervisor reads) x every
/// fault x every joint.
#[test]
fn every_law_every_channel_every_fault_stops_within_one_tick() {
    let onset = 200;
    let mut cases = 0;
    for law_index in 0..zoo::every_law::<N>(50.0, 2.0, LIMIT_NM).len() {
        let reads = zoo::every_law::<N>(50.0, 2.0, LIMIT_NM)[law_index].reads();
        let channels = reads.union(Channels::of(&[Channel::JointPosition, Channel::JointVelocity]));
        for channel in channels.iter().filter(|c| *c != Channel::FootContact) {
            for fault in [Fault::Nan, Fault::Infinite, Fault::OutOfRange, Fault::Stuck] {
                let Some(deadline) = (if fault == Fault::Stuck { stuck_deadline(channel) } else { Some(0) }) else {
                    continue;
                };
                let joints = if channel == Channel::BasePitch { 1 } else { N };
                for joint in 0..joints {
                    let mut law = zoo::every_law::<N>(50.0, 2.0, LIMIT_NM).swap_remove(law_index);
                    let name = law.name();
                    let mut sup = Supervisor::for_law(watchful(), law.reads()).unwrap();
                    let mut held = 0.0;
                    let mut tripped = None;
                    for k in 0..onset + 400 {
                        let mut frame = healthy(k);
                        if k == onset {
                            held = value(&frame, channel, joint);
                        }
                        if k >= onset {
                            inject(&mut frame, channel, joint, fault, held);
                        }
                        let cmd = law.update(&frame, DT);
                        let out = sup.apply(&frame, &cmd, DT);
                        assert_bounded(&out.command);
                        if k < onset {
                            assert_ne!(
                                out.state,
                                SupervisorState::SafeStop,
                                "{name}: tripped on a healthy frame: {:?}",
                                out.reason
                            );
                        } else if out.state == SupervisorState::SafeStop && tripped.is_none() {
                            tripped = Some((k - onset, out.reason));
                        }
                    }
                    let (after, reason) =
                        tripped.unwrap_or_else(|| panic!("{name}: {channel:?} joint {joint} {fault:?} never tripped"));
                    let limit = if fault == Fault::Stuck && deadline == 0 {
                        // Cross-checked channels: the first tick at which |k d - torque| exceeds the margin, or
                        // the joint leaves its range.
                        first_inconsistent_tick(channel, joint, onset)
                    } else {
                        deadline
                    };
                    assert!(
                        after <= limit,
                        "{name}: {channel:?} joint {joint} {fault:?}: tripped {after} ticks after onset, allowed {limit}"
                    );
                    let named = reason.channel() == Some(channel)
                        || matches!(
                            reason,
                            FaultReason::SpringTorqueMismatch(_)
                                | FaultReason::HardLimit(_)
                                | FaultReason::Overspeed(_)
                        );
                    assert!(named, "{name}: {channel:?} {fault:?}: reason {reason:?} does not name the channel");
                    if channel != Channel::BasePitch {
                        assert_eq!(reason.joint(), Some(joint as u8), "{name}: {channel:?} {fault:?}: {reason:?}");
                    }
                    cases += 1;
                }
            }
        }
    }
    println!("{cases} law x channel x fault x joint cases");
    assert!(cases > 200, "only {cases} cases ran");
}

/// Ticks after `onset` until a stuck `channel` at `joint` makes the spring cross-check fail.
fn first_inconsistent_tick(channel: Channel, joint: usize, onset: u32) -> u32 {
    let held = healthy(onset);
    for k in onset.. {
        let mut f = healthy(k);
        inject(&mut f, channel, joint, Fault::Stuck, value(&held, channel, joint));
        let d = f.motor_position_rad[joint] - f.joint_position_rad[joint];
        if (SPRING_NM_PER_RAD * d - f.joint_torque_nm[joint]).abs() > 2.0 {
            return k - onset;
        }
    }
    unreachable!()
}

#[test]
fn a_supervisor_that_does_not_watch_what_the_law_reads_is_refused() {
    let laws = zoo::every_law::<N>(50.0, 2.0, LIMIT_NM);
    let mut cfg = watchful();
    let encoders = Channels::of(&[Channel::JointPosition, Channel::JointVelocity]);
    cfg.sensors.monitored = [encoders; N];
    // Refused exactly when the law reads more than the encoders.
    let mut refused = Vec::new();
    for l in &laws {
        let is_refused = Supervisor::for_law(cfg, l.reads()).is_err();
        assert_eq!(is_refused, !encoders.covers(l.reads()), "{}", l.name());
        if is_refused {
            refused.push(l.name());
        }
    }
    assert!(refused.contains(&"sea_torque") && refused.contains(&"admittance"));
}

#[test]
fn a_spike_on_a_noisy_channel_trips_on_its_rate() {
    let mut cfg = watchful();
    cfg.sensors.interaction_torque_rate_range_nm_per_s = SVector::repeat(2e4); // 20 N m per 1 ms tick
    let mut sup = Supervisor::new(cfg).unwrap();
    let cmd = Command::default();
    for k in 0..100 {
        let mut f = healthy(k);
        if k == 50 {
            f.interaction_torque_nm[1] += 40.0; // within the 60 N m range, but 40 N m in one ms
        }
        let out = sup.apply(&f, &cmd, DT);
        if k < 50 {
            assert_eq!(out.state, SupervisorState::Active);
        } else {
            assert_eq!(out.reason, FaultReason::SensorRate { channel: Channel::InteractionTorque, joint: 1 });
            return;
        }
    }
}
