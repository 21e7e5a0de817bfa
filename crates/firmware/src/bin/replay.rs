//! The replay harness: exo-control's assistance law and supervisor, in `f32`, over the logged frame sequence
//! held in flash, printing every tick's commands through semihosting (`src/record.rs` gives the line format).
//!
//! Run it on QEMU's Cortex-M4F board (`run-on-qemu.sh` does, and compares the output with the host bit for
//! bit). It prints a header (with the sizes of the law's and the supervisor's state), one line per tick, and a
//! closing line with the tick count and the deepest stack during the replay loop (from the top of the stack, and
//! below `main`'s own frame: the control tick and the output code); then it exits with status 0, or 1 on any
//! failure.
#![no_std]
#![no_main]

use core::hint::black_box;

use cortex_m_rt::entry;
use exo_control::{Assistance, Supervisor};
use exo_firmware::semihosting::{self, Stdout};
use exo_firmware::{N, control_tick, exo_fw_tick_begin, exo_fw_tick_end, inputs, law, record, stack, table};

/// Bytes of stack painted and checked for the stack figure.
const STACK_WINDOW: usize = 64 * 1024;

#[entry]
fn main() -> ! {
    let mut out = Stdout::open();
    let (mut law, mut supervisor) = match law() {
        Ok(x) => x,
        Err(e) => {
            let (what, field) = e.describe();
            semihosting::fail(&mut out, what, field)
        }
    };
    // The law and the supervisor live in memory that the markers might touch: no part of a tick can move
    // across them.
    black_box(&mut law);
    black_box(&mut supervisor);

    out.write(b"exo-firmware replay joints=");
    out.write_decimal(N);
    out.write(b" ticks=");
    out.write_decimal(inputs::TICKS);
    out.write(b" law_bytes=");
    out.write_decimal(core::mem::size_of::<Assistance<f32, N>>());
    out.write(b" supervisor_bytes=");
    out.write_decimal(core::mem::size_of::<Supervisor<f32, N>>());
    out.write(b"\n");

    let mut line = [0u8; record::line_len(N)];
    let mut ticks = 0;
    // The stack figure covers the replay loop (start-up and the decoding of the law are not counted).
    stack::paint(STACK_WINDOW);
    let loop_sp = stack::pointer();
    for bytes in inputs::FRAMES.chunks_exact(table::bytes_per_tick(N)) {
        let Some((frame, dt_s)) = table::decode::<N>(bytes) else {
            semihosting::fail(&mut out, "a frame does not decode", "")
        };
        exo_fw_tick_begin();
        let (command, supervised) = control_tick(&mut law, &mut supervisor, &frame, dt_s);
        exo_fw_tick_end();
        let len = record::encode(&command, &supervised, &mut line);
        out.write(line.get(..len).unwrap_or(&[]));
        ticks += 1;
    }
    out.write(b"end ticks=");
    out.write_decimal(ticks);
    let lowest = stack::lowest(STACK_WINDOW);
    out.write(b" stack_peak_bytes=");
    out.write_decimal(stack::top().saturating_sub(lowest));
    out.write(b" below_main_bytes=");
    out.write_decimal(loop_sp.saturating_sub(lowest));
    out.write(b"\n");
    semihosting::exit(&mut out, ticks == inputs::TICKS)
}
