//! `exo-firmware-host`: the host side of the firmware's bit-exact replay.
//!
//! * `replay --law FILE --frames FILE [-o FILE]` runs exo-control's assistance law and supervisor in `f32` on
//!   the host over the very tables the firmware embeds (same law file, same frame log, same decoding: this
//!   crate includes the firmware's `src/table.rs` and `src/record.rs`), and prints what the firmware prints.
//! * `compare OUTPUT [--host FILE] [--frames FILE] [--replay FILE]` compares the firmware's output (from QEMU)
//!   bit for bit with a host replay, with the commands logged in a run's `frames.csv`, and with the replayed
//!   supervised torque of `exosim replay`'s `replay.csv`; it prints the first tick and column that differ and
//!   exits with status 1 on any difference.

#[path = "../../src/record.rs"]
mod record;
#[path = "../../src/table.rs"]
mod table;
#[macro_use]
mod inputs;

use std::process::ExitCode;

use exo_control::{Assistance, ControlLaw, Supervisor};

use inputs::FrameLog;

const USAGE: &str = "usage:
  exo-firmware-host replay --law LAW.toml --frames frames.csv [-o OUT]
      the law and supervisor in f32 on the host, printed as the firmware prints them
  exo-firmware-host compare FIRMWARE_OUTPUT [--host HOST_OUTPUT] [--frames frames.csv] [--replay replay.csv]
      [--f64-supervisor]
      compare the firmware's commands bit for bit; exit status 1 on a difference.
      --f64-supervisor: the run and `exosim replay` supervised in f64 (exosim before f32 supervision): their
      supervised torque may differ on ticks where the f32 supervisor limited the command; report those, fail
      on any other";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("replay") => replay_command(&args[1..]).map(|()| true),
        Some("compare") => compare_command(&args[1..]),
        Some("help" | "-h" | "--help") => {
            println!("{USAGE}");
            Ok(true)
        }
        _ => Err(USAGE.to_string()),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("exo-firmware-host: {e}");
            ExitCode::from(2)
        }
    }
}

/// `--name value` options and positional arguments.
struct Args {
    positional: Vec<String>,
    options: Vec<(String, Option<String>)>,
}

impl Args {
    fn parse(args: &[String], flags: &[&str]) -> Self {
        let mut a = Self { positional: Vec::new(), options: Vec::new() };
        let mut it = args.iter();
        while let Some(x) = it.next() {
            if flags.contains(&x.as_str()) {
                a.options.push((x.clone(), None));
            } else if x.starts_with('-') {
                a.options.push((x.clone(), it.next().cloned()));
            } else {
                a.positional.push(x.clone());
            }
        }
        a
    }

    fn get(&self, name: &str) -> Result<Option<&str>, String> {
        match self.options.iter().find(|(n, _)| n == name) {
            None => Ok(None),
            Some((_, Some(v))) => Ok(Some(v)),
            Some((_, None)) => Err(format!("{name} needs a value")),
        }
    }

    fn flag(&self, name: &str) -> bool {
        self.options.iter().any(|(n, _)| n == name)
    }

    fn check(&self, known: &[&str]) -> Result<(), String> {
        match self.options.iter().find(|(n, _)| !known.contains(&n.as_str())) {
            Some((n, _)) => Err(format!("unknown option {n}\n{USAGE}")),
            None => Ok(()),
        }
    }
}

fn read(path: &str) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))
}

fn replay_command(args: &[String]) -> Result<(), String> {
    let a = Args::parse(args, &[]);
    a.check(&["--law", "--frames", "-o"])?;
    let law_path = a.get("--law")?.ok_or("replay needs --law")?;
    let frames_path = a.get("--frames")?.ok_or("replay needs --frames")?;
    let law_text = read(law_path)?;
    let log = FrameLog::parse(&read(frames_path)?, frames_path)?;
    let n = inputs::law_joints(&law_text).map_err(|e| format!("{law_path}: {e}"))?;
    let text = for_joints!(n, replay, &law_text, &log).map_err(|e| format!("{law_path}: {e}"))?;
    match a.get("-o")? {
        Some(out) => std::fs::write(out, text).map_err(|e| format!("{out}: {e}")),
        None => {
            print!("{text}");
            Ok(())
        }
    }
}

/// The host replay: what the firmware prints, computed here.
fn replay<const N: usize>(law_text: &str, log: &FrameLog) -> Result<String, String> {
    let law = inputs::parse_law::<N>(law_text)?;
    let mut assistance = Assistance::new(law.assistance).map_err(|e| e.to_string())?;
    let mut supervisor = Supervisor::new(law.supervisor).map_err(|e| e.to_string())?;
    let frames = log.table(N)?;
    let mut out = format!("exo-firmware replay joints={N} ticks={} (host)\n", log.ticks());
    let mut line = vec![0u8; record::line_len(N)];
    for (tick, bytes) in frames.chunks_exact(table::bytes_per_tick(N)).enumerate() {
        let (frame, dt_s) = table::decode::<N>(bytes).ok_or_else(|| format!("tick {tick} does not decode"))?;
        let command = assistance.update(&frame, dt_s);
        let supervised = supervisor.apply(&frame, &command, dt_s);
        let len = record::encode(&command, &supervised, &mut line);
        out.push_str(std::str::from_utf8(&line[..len]).map_err(|e| e.to_string())?);
    }
    out.push_str(&format!("end ticks={}\n", log.ticks()));
    Ok(out)
}

/// One tick of firmware output.
#[derive(Clone, Debug, PartialEq)]
struct Line {
    words: Vec<u32>,
    reason: u8,
}

/// Firmware (or host replay) output: the joint count and the tick lines.
struct Output {
    joints: usize,
    lines: Vec<Line>,
}

fn parse_output(text: &str, path: &str) -> Result<Output, String> {
    let mut joints = None;
    let mut lines = Vec::new();
    let mut ended = false;
    for (i, l) in text.lines().enumerate() {
        let at = || format!("{path}:{}", i + 1);
        if let Some(rest) = l.strip_prefix("exo-firmware replay ") {
            let n = rest
                .split_whitespace()
                .find_map(|kv| kv.strip_prefix("joints="))
                .and_then(|v| v.parse::<usize>().ok())
                .ok_or_else(|| format!("{}: header without joints=", at()))?;
            joints = Some(n);
        } else if l.starts_with("exo-firmware: ") {
            return Err(format!("{}: the firmware failed: {l}", at()));
        } else if l.starts_with("end ") {
            ended = true;
        } else if let Some(n) = joints {
            let cells: Vec<&str> = l.split_whitespace().collect();
            if cells.len() != 3 * n + 1 {
                return Err(format!("{}: {} cells, expected {}", at(), cells.len(), 3 * n + 1));
            }
            let hex = |c: &str| u32::from_str_radix(c, 16).map_err(|e| format!("{}: `{c}`: {e}", at()));
            let words = cells[..3 * n].iter().map(|c| hex(c)).collect::<Result<Vec<u32>, String>>()?;
            let reason = u8::try_from(hex(cells[3 * n])?).map_err(|e| e.to_string())?;
            lines.push(Line { words, reason });
        } else if !l.trim().is_empty() {
            // QEMU or the runner may print before the firmware starts; skip.
        }
    }
    let joints = joints.ok_or_else(|| format!("{path}: no `exo-firmware replay` header: not firmware output"))?;
    if !ended {
        return Err(format!("{path}: no closing `end` line: the firmware stopped early ({} ticks)", lines.len()));
    }
    Ok(Output { joints, lines })
}

/// Column name of word `k` of a line.
fn column(names: &[String], n: usize, k: usize) -> String {
    let (group, j) = (k / n, k % n);
    let joint = names.get(j).cloned().unwrap_or_else(|| format!("joint{j}"));
    format!("{joint}_{}", record::GROUPS.get(group).copied().unwrap_or("reason"))
}

/// A difference between the firmware and a reference.
struct Diff {
    tick: usize,
    column: String,
    firmware: f32,
    reference: f64,
    /// The reference's bit pattern, in its own width.
    reference_bits: String,
    reason: u8,
}

/// What one comparison found.
struct Finding {
    against: String,
    ticks: usize,
    columns: usize,
    diffs: Vec<Diff>,
}

impl Finding {
    fn report(&self, log: Option<&FrameLog>) {
        if self.diffs.is_empty() {
            println!(
                "  {}: identical bit for bit on all {} ticks x {} columns",
                self.against, self.ticks, self.columns
            );
            return;
        }
        let d = &self.diffs[0];
        let time = log.and_then(|l| l.value(d.tick, "time_s")).map(|t| format!(" (t = {t} s)")).unwrap_or_default();
        println!(
            "  {}: DIFFERS from tick {}{time}, column {}: firmware {:e} ({:#010x}), reference {:e} ({})",
            self.against,
            d.tick,
            d.column,
            d.firmware,
            d.firmware.to_bits(),
            d.reference,
            d.reference_bits
        );
        let mut ticks: Vec<usize> = self.diffs.iter().map(|d| d.tick).collect();
        ticks.dedup();
        let mut reasons: Vec<(u8, usize)> = Vec::new();
        for t in &ticks {
            let r = self.diffs.iter().find(|d| d.tick == *t).map_or(0, |d| d.reason);
            match reasons.iter_mut().find(|(c, _)| *c == r) {
                Some((_, k)) => *k += 1,
                None => reasons.push((r, 1)),
            }
        }
        reasons.sort_unstable();
        let mut cols: Vec<&str> = self.diffs.iter().map(|d| d.column.as_str()).collect();
        cols.sort_unstable();
        cols.dedup();
        let worst = self.diffs.iter().map(|d| (f64::from(d.firmware) - d.reference).abs()).fold(0.0, f64::max);
        println!(
            "    {} of {} ticks differ ({} values; ticks {}), in {}; largest |difference| {worst:e}",
            ticks.len(),
            self.ticks,
            self.diffs.len(),
            ranges(&ticks),
            cols.join(", ")
        );
        let names: Vec<String> =
            reasons.iter().map(|(c, k)| format!("{k} with code {c} ({})", reason_name(*c))).collect();
        println!("    the firmware supervisor's reason on those ticks: {}", names.join(", "));
    }
}

fn reason_name(code: u8) -> &'static str {
    match code {
        0 => "active",
        1 => "soft wall",
        2 => "torque limit",
        3 => "torque-rate limit",
        10..=15 => "fault",
        _ => "unknown",
    }
}

/// `1-3, 7, 9-12`, at most a dozen ranges.
fn ranges(ticks: &[usize]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < ticks.len() {
        let mut j = i;
        while j + 1 < ticks.len() && ticks[j + 1] == ticks[j] + 1 {
            j += 1;
        }
        out.push(if i == j { ticks[i].to_string() } else { format!("{}-{}", ticks[i], ticks[j]) });
        i = j + 1;
    }
    if out.len() > 12 {
        let n = out.len();
        out.truncate(12);
        out.push(format!("... ({n} ranges)"));
    }
    out.join(", ")
}

fn compare_command(args: &[String]) -> Result<bool, String> {
    let a = Args::parse(args, &["--f64-supervisor"]);
    a.check(&["--host", "--frames", "--replay", "--f64-supervisor"])?;
    let [fw_path] = a.positional.as_slice() else {
        return Err(format!("compare takes one firmware output file\n{USAGE}"));
    };
    let fw = parse_output(&read(fw_path)?, fw_path)?;
    let n = fw.joints;
    let log = match a.get("--frames")? {
        Some(p) => Some(FrameLog::parse(&read(p)?, p)?),
        None => None,
    };
    let names: Vec<String> = match &log {
        Some(l) if l.joints.len() == n => l.joints.clone(),
        Some(l) => {
            return Err(format!(
                "the firmware ran {n} joints, the log has {} ({})",
                l.joints.len(),
                l.joints.join(", ")
            ));
        }
        None => (0..n).map(|j| format!("joint{j}")).collect(),
    };
    println!("firmware output {fw_path}: {} ticks of {n} joints", fw.lines.len());
    let mut findings = Vec::new();

    if let Some(p) = a.get("--host")? {
        let host = parse_output(&read(p)?, p)?;
        if host.joints != n || host.lines.len() != fw.lines.len() {
            return Err(format!(
                "{p}: {} ticks of {} joints, the firmware's output has {} of {n}",
                host.lines.len(),
                host.joints,
                fw.lines.len()
            ));
        }
        let mut diffs = Vec::new();
        for (tick, (f, h)) in fw.lines.iter().zip(&host.lines).enumerate() {
            for (k, (x, y)) in f.words.iter().zip(&h.words).enumerate() {
                if x != y {
                    diffs.push(Diff {
                        tick,
                        column: column(&names, n, k),
                        firmware: f32::from_bits(*x),
                        reference: f64::from(f32::from_bits(*y)),
                        reference_bits: format!("{y:#010x}"),
                        reason: f.reason,
                    });
                }
            }
            if f.reason != h.reason {
                diffs.push(Diff {
                    tick,
                    column: "supervisor_reason".into(),
                    firmware: f32::from(f.reason),
                    reference: f64::from(h.reason),
                    reference_bits: format!("code {}", h.reason),
                    reason: f.reason,
                });
            }
        }
        findings.push(Finding {
            against: format!("host f32 replay {p}"),
            ticks: fw.lines.len(),
            columns: 3 * n + 1,
            diffs,
        });
    }

    if let (Some(l), Some(p)) = (&log, a.get("--frames")?) {
        if l.ticks() != fw.lines.len() {
            return Err(format!("{p}: {} ticks, the firmware ran {}", l.ticks(), fw.lines.len()));
        }
        let cols: Vec<usize> = (0..3 * n).filter(|k| l.has(&column(&names, n, *k))).collect();
        if cols.is_empty() {
            println!("  {p}: the log holds no commands to compare with");
        } else {
            let diffs = compare_f64(&fw, &names, &cols, |tick, name| l.value(tick, name));
            findings.push(Finding {
                against: format!("commands logged in {p}"),
                ticks: l.ticks(),
                columns: cols.len(),
                diffs,
            });
        }
    }

    if let Some(p) = a.get("--replay")? {
        let r = FrameLog::parse_plain(&read(p)?, p)?;
        if r.ticks() != fw.lines.len() {
            return Err(format!("{p}: {} ticks, the firmware ran {}", r.ticks(), fw.lines.len()));
        }
        // Only the supervised torque is in replay.csv, as `{joint}_replayed_torque_nm`.
        let cols: Vec<usize> = (2 * n..3 * n).collect();
        let diffs = compare_f64(&fw, &names, &cols, |tick, name| {
            let joint = name.strip_suffix("_supervised_torque_nm")?;
            r.value(tick, &format!("{joint}_replayed_torque_nm"))
        });
        findings.push(Finding {
            against: format!("`exosim replay` supervised torque {p}"),
            ticks: r.ticks(),
            columns: cols.len(),
            diffs,
        });
    }

    if findings.is_empty() {
        return Err("nothing to compare with: give --host, --frames or --replay".into());
    }
    let mut ok = true;
    for f in &findings {
        f.report(log.as_ref());
        let (supervised, other): (Vec<&Diff>, Vec<&Diff>) =
            f.diffs.iter().partition(|d| d.column.ends_with("_supervised_torque_nm"));
        let explained = a.flag("--f64-supervisor")
            && !f.against.starts_with("host")
            && other.is_empty()
            && supervised.iter().all(|d| (1..=3).contains(&d.reason));
        if explained && !supervised.is_empty() {
            println!(
                "    accepted (--f64-supervisor): only the supervised torque differs, and only on ticks where the \
                 firmware's f32 supervisor limited the command, which an f64 supervisor limits in f64"
            );
        }
        ok &= f.diffs.is_empty() || explained;
    }
    println!("{}", if ok { "firmware matches" } else { "firmware DIFFERS" });
    Ok(ok)
}

/// Compares words `cols` of every firmware line with `f64` reference values, bit for bit after widening the
/// firmware's `f32` (exact).
fn compare_f64(
    fw: &Output,
    names: &[String],
    cols: &[usize],
    reference: impl Fn(usize, &str) -> Option<f64>,
) -> Vec<Diff> {
    let n = fw.joints;
    let mut diffs = Vec::new();
    for (tick, line) in fw.lines.iter().enumerate() {
        for &k in cols {
            let name = column(names, n, k);
            let firmware = f32::from_bits(line.words[k]);
            let reference = reference(tick, &name).unwrap_or(f64::NAN);
            if f64::from(firmware).to_bits() != reference.to_bits() {
                let reference_bits = format!("{:#018x}", reference.to_bits());
                diffs.push(Diff { tick, column: name, firmware, reference, reference_bits, reason: line.reason });
            }
        }
    }
    diffs
}
