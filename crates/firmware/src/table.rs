//! The frame table's layout: one tick of a logged frame sequence as little-endian 32-bit words, in flash.
//!
//! Written by `build.rs` on the host and decoded here, by the firmware and by the host tool (which includes this
//! file), so that both feed the law the very same `f32` bit patterns. A tick is
//!
//! | word | content |
//! |---|---|
//! | 0 | `dt_s` as `f32` bits |
//! | 1 | `sequence` |
//! | 2 | `foot_contact`: bit `j` for joint `j` |
//! | 3 | `base_pitch_rad`, `f32` bits |
//! | 4 + f N + j | field `f` of [`FIELDS`] for joint `j`, `f32` bits |
//!
//! No panics: every access is checked and a short tick decodes to `None`. The frame is built field by field
//! (no `..Default::default()`), so that a field added to `SensorFrame` stops the build here until the table
//! carries it.

use exo_control::{SVector, SensorFrame, Setpoint};

/// Words before the per-joint fields.
pub const HEADER_WORDS: usize = 4;

/// The per-joint vector fields of a sensor frame (measurements, then the setpoint), in table and frame-log
/// column order.
pub const FIELDS: [&str; 9] = [
    "joint_position_rad",
    "joint_velocity_rad_per_s",
    "motor_position_rad",
    "motor_velocity_rad_per_s",
    "joint_torque_nm",
    "interaction_torque_nm",
    "setpoint_position_rad",
    "setpoint_velocity_rad_per_s",
    "setpoint_torque_nm",
];

/// Words per tick for `n` joints.
#[must_use]
pub const fn words_per_tick(n: usize) -> usize {
    HEADER_WORDS + FIELDS.len() * n
}

/// Bytes per tick for `n` joints.
#[must_use]
pub const fn bytes_per_tick(n: usize) -> usize {
    4 * words_per_tick(n)
}

#[inline]
fn word(tick: &[u8], i: usize) -> Option<u32> {
    let b = tick.get(4 * i..4 * i + 4)?;
    match *b {
        [a, b, c, d] => Some(u32::from_le_bytes([a, b, c, d])),
        _ => None,
    }
}

/// Decodes one tick (`bytes_per_tick(N)` bytes): the sensor frame and the tick length `dt_s`.
#[must_use]
pub fn decode<const N: usize>(tick: &[u8]) -> Option<(SensorFrame<f32, N>, f32)> {
    if tick.len() < bytes_per_tick(N) {
        return None;
    }
    let field = |f: usize| -> SVector<f32, N> {
        SVector::from_fn(|j, _| word(tick, HEADER_WORDS + f * N + j).map_or(f32::NAN, f32::from_bits))
    };
    let contact = word(tick, 2)?;
    let frame = SensorFrame {
        sequence: word(tick, 1)?,
        foot_contact: core::array::from_fn(|j| j < 32 && (contact >> j) & 1 != 0),
        base_pitch_rad: f32::from_bits(word(tick, 3)?),
        joint_position_rad: field(0),
        joint_velocity_rad_per_s: field(1),
        motor_position_rad: field(2),
        motor_velocity_rad_per_s: field(3),
        joint_torque_nm: field(4),
        interaction_torque_nm: field(5),
        setpoint: Setpoint { position_rad: field(6), velocity_rad_per_s: field(7), torque_nm: field(8) },
    };
    Some((frame, f32::from_bits(word(tick, 0)?)))
}
