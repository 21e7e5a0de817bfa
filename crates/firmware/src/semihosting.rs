//! Output to the host through Arm semihosting (QEMU's `-semihosting-config enable=on`), buffered so that a tick
//! costs no trap into the emulator: the buffer goes out when full and at the end.

use cortex_m_semihosting::debug;
use cortex_m_semihosting::hio::{self, HostStream};

/// The host's standard output, buffered.
pub struct Stdout {
    stream: Option<HostStream>,
    buf: [u8; 4096],
    len: usize,
    failed: bool,
}

impl Stdout {
    /// Opens the host's standard output (`:tt`).
    #[must_use]
    pub fn open() -> Self {
        let stream = hio::hstdout().ok();
        Self { failed: stream.is_none(), stream, buf: [0; 4096], len: 0 }
    }

    /// Queues `bytes`.
    pub fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            if self.len >= self.buf.len() {
                self.flush();
            }
            if let Some(slot) = self.buf.get_mut(self.len) {
                *slot = b;
                self.len += 1;
            }
        }
    }

    /// Queues `x` in decimal.
    pub fn write_decimal(&mut self, mut x: usize) {
        let mut digits = [0u8; 20];
        let mut at = digits.len();
        loop {
            at -= 1;
            if let Some(d) = digits.get_mut(at) {
                *d = b'0' + (x % 10) as u8;
            }
            x /= 10;
            if x == 0 || at == 0 {
                break;
            }
        }
        let digits = digits;
        self.write(digits.get(at..).unwrap_or(&[]));
    }

    /// Sends what is queued.
    pub fn flush(&mut self) {
        if let (Some(s), Some(bytes)) = (self.stream.as_mut(), self.buf.get(..self.len)) {
            self.failed |= s.write_all(bytes).is_err();
        }
        self.len = 0;
    }

    /// True when every write reached the host so far.
    #[must_use]
    pub fn ok(&self) -> bool {
        !self.failed
    }
}

/// Flushes `out` and ends the emulation with exit status 0 (`success`) or 1.
pub fn exit(out: &mut Stdout, success: bool) -> ! {
    out.flush();
    debug::exit(if success && out.ok() { debug::EXIT_SUCCESS } else { debug::EXIT_FAILURE });
    // Only reached without a debugger or emulator to take the exit.
    loop {
        cortex_m::asm::wfi();
    }
}

/// Prints `what` and `detail` on a line of their own and fails the run.
pub fn fail(out: &mut Stdout, what: &str, detail: &str) -> ! {
    out.write(b"\nexo-firmware: ");
    out.write(what.as_bytes());
    if !detail.is_empty() {
        out.write(b" ");
        out.write(detail.as_bytes());
    }
    out.write(b"\n");
    exit(out, false)
}
