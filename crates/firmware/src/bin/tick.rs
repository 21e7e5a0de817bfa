//! The law and the supervisor without the replay harness: one control tick in a loop, on a sensor frame read
//! (volatile) from a receive buffer in RAM, its supervised torque written (volatile) to a transmit buffer, as
//! drivers would hand them over. Nothing is optimised away, and nothing else is linked: this image's `size` is
//! the footprint of the law and the supervisor (and cortex-m-rt's start-up code and the config decoder).
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use exo_firmware::{N, control_tick, law, table};

/// A frame as the sensor drivers would leave it (the table layout of `src/table.rs`).
static mut RX: [u32; table::words_per_tick(N)] = [0; table::words_per_tick(N)];
/// The supervised torque, for the motor drivers.
static mut TX: [f32; N] = [0.0; N];

#[entry]
fn main() -> ! {
    let Ok((mut law, mut supervisor)) = law() else {
        loop {
            cortex_m::asm::wfi();
        }
    };
    let mut bytes = [0u8; table::bytes_per_tick(N)];
    loop {
        // SAFETY: a single-threaded image; the buffer stands for memory that drivers write.
        let words = unsafe { core::ptr::read_volatile(&raw const RX) };
        for (b, w) in bytes.chunks_exact_mut(4).zip(words) {
            b.copy_from_slice(&w.to_le_bytes());
        }
        if let Some((frame, dt_s)) = table::decode::<N>(&bytes) {
            let (_, supervised) = control_tick(&mut law, &mut supervisor, &frame, dt_s);
            // SAFETY: as above.
            unsafe { core::ptr::write_volatile(&raw mut TX, supervised.command.torque_nm.into()) };
        }
    }
}
