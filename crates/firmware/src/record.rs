//! The firmware's output: one text line per control tick, the `f32` bit patterns of what the law and the
//! supervisor commanded, in hex.
//!
//! A line holds `3 N` words of eight lowercase hex digits and the supervisor's reason code, separated by
//! spaces: the law's `torque_nm` for each joint, its `demand_nm`, the supervised `torque_nm`, then
//! `FaultReason::code()` as two hex digits. The host tool writes the same lines from a host replay and parses
//! both (it includes this file). Hand-rolled rather than `core::fmt`, so that no formatting machinery (and none
//! of its panic paths) is linked into the image.

use exo_control::{Command, Supervised};

/// Bytes of one line for `n` joints (newline included).
#[must_use]
pub const fn line_len(n: usize) -> usize {
    9 * 3 * n + 3
}

/// Column groups of a line, in order (each repeated per joint, named `{joint}_{group}` in reports).
pub const GROUPS: [&str; 3] = ["command_torque_nm", "command_demand_nm", "supervised_torque_nm"];

const HEX: &[u8; 16] = b"0123456789abcdef";

#[inline]
fn put(buf: &mut [u8], at: &mut usize, byte: u8) {
    if let Some(b) = buf.get_mut(*at) {
        *b = byte;
    }
    *at += 1;
}

#[inline]
fn put_hex(buf: &mut [u8], at: &mut usize, value: u32, digits: u32) {
    for k in (0..digits).rev() {
        let nibble = (value >> (4 * k)) & 0xf;
        put(buf, at, HEX.get(nibble as usize).copied().unwrap_or(b'?'));
    }
}

/// Writes the line of one tick into `buf` (at least `line_len(N)` bytes); returns the bytes written.
pub fn encode<const N: usize>(command: &Command<f32, N>, supervised: &Supervised<f32, N>, buf: &mut [u8]) -> usize {
    let mut at = 0;
    for v in [&command.torque_nm, &command.demand_nm, &supervised.command.torque_nm] {
        for x in v.iter() {
            put_hex(buf, &mut at, x.to_bits(), 8);
            put(buf, &mut at, b' ');
        }
    }
    put_hex(buf, &mut at, u32::from(supervised.reason.code()), 2);
    put(buf, &mut at, b'\n');
    at
}
