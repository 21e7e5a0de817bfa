#!/usr/bin/env bash
# Bit-exact replay on the emulated MCU: builds the firmware's `replay` image for a law file and a frame log, runs
# it on QEMU's Cortex-M4F board (mps2-an386) with semihosting, and compares every tick's commands bit for bit
#   * with the same law and supervisor run in f32 on the host over the same tables (host/, always), and
#   * with the commands logged in the run's frames.csv and, given an exosim binary, with `exosim replay` of the
#     same log (its replay.csv).
# Prints the first tick and column that differ; exit status 0 when all match, 1 on a difference, 2 on an error.
#
#   crates/firmware/run-on-qemu.sh                               # the example log, no exosim
#   crates/firmware/run-on-qemu.sh --exosim target/release/exosim --run scenarios/walking-assist.toml
#
# Options:
#   --law FILE        law file (default: exported from the log's scenario with `BIN export-law` when an exosim
#                     binary is given, else crates/firmware/examples/walking-assist.law.toml)
#   --log DIR         output folder of `exosim run --frames` (scenario.toml, frames.csv); default
#                     crates/firmware/examples/walking-assist-log
#   --exosim BIN      exosim binary (default $EXOSIM): also compare with `exosim replay DIR`
#   --run SCENARIO    first log a fresh run of SCENARIO with `BIN run --frames` in f32 (needs --exosim)
#   --seconds S       duration of that run (default 2.5)
#   --f64-supervisor  the log and exosim supervise in f64: accept supervised-torque differences on ticks where
#                     the firmware's f32 supervisor limited the command (see host/src/main.rs)
#   --host-only       compare with the host replay only (for a law file whose supervisor differs from the run's)
#   --count           also count instructions per tick with the QEMU plugin (needs a C compiler)
#   --work DIR        keep the outputs in DIR (default: a temporary folder, removed)
set -euo pipefail

fw="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$fw/../.." && pwd)"
law=""
log="$fw/examples/walking-assist-log"
exosim="${EXOSIM:-}"
scenario=""
seconds="2.5"
f64_supervisor=""
count=""
host_only=""
work=""
while [ $# -gt 0 ]; do
  case "$1" in
    --law) law="$(realpath "$2")"; shift 2 ;;
    --log) log="$(realpath "$2")"; shift 2 ;;
    --exosim) exosim="$(realpath "$2")"; shift 2 ;;
    --run) scenario="$(realpath "$2")"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --f64-supervisor) f64_supervisor="--f64-supervisor"; shift ;;
    --count) count=1; shift ;;
    --host-only) host_only=1; shift ;;
    --work) mkdir -p "$2"; work="$(realpath "$2")"; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "run-on-qemu.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
if [ -z "$work" ]; then
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
fi
command -v qemu-system-arm >/dev/null || { echo "run-on-qemu.sh: no qemu-system-arm (apt-get install qemu-system-arm)" >&2; exit 2; }
target_dir="${CARGO_TARGET_DIR:-$fw/target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

if [ -n "$scenario" ]; then
  [ -n "$exosim" ] || { echo "run-on-qemu.sh: --run needs --exosim" >&2; exit 2; }
  echo "== logging $scenario for ${seconds} s in f32 ($exosim run --frames)"
  "$exosim" run "$scenario" --frames --no-plots -o "$work/run" \
    --set "simulation.duration_s=$seconds" --set 'controller.precision="f32"' \
    --set simulation.compare_without_exo=false >"$work/run.txt" 2>&1 \
    || { cat "$work/run.txt" >&2; exit 2; }
  log="$(dirname "$(ls "$work"/run/*/frames.csv | head -1)")"
fi
frames="$log/frames.csv"
[ -f "$frames" ] || { echo "run-on-qemu.sh: no $frames" >&2; exit 2; }
if [ -z "$law" ]; then
  if [ -n "$exosim" ]; then
    # The firmware configuration of the very run that made the log.
    law="$work/law.toml"
    "$exosim" export-law "$log" "$law" >/dev/null || { echo "run-on-qemu.sh: export-law failed" >&2; exit 2; }
  else
    law="$fw/examples/walking-assist.law.toml"
  fi
fi

echo "== firmware image: $(basename "$law") over $frames"
# --target here and the linker script from build.rs: this works from any working directory.
EXOSIM_LAW="$law" EXOSIM_FRAMES="$frames" cargo build --quiet --release --manifest-path "$fw/Cargo.toml" \
  --target thumbv7em-none-eabihf --bin replay >"$work/build.txt" 2>&1 \
  || { cat "$work/build.txt" >&2; echo "run-on-qemu.sh: the firmware build failed" >&2; exit 2; }
elf="$target_dir/thumbv7em-none-eabihf/release/replay"
[ -f "$elf" ] || { echo "run-on-qemu.sh: the build made no $elf" >&2; exit 2; }

echo "== running on qemu-system-arm -machine mps2-an386 ($(qemu-system-arm --version | head -1))"
plugin_args=()
if [ -n "$count" ]; then
  cc -shared -fPIC -O2 -o "$work/libinsn-ticks.so" "$fw/qemu-plugin/insn-ticks.c"
  # The toolchain's llvm-nm (rustup component llvm-tools), else the system's.
  nm="$(rustc --print sysroot)/lib/rustlib/$(rustc -vV | sed -n 's/^host: //p')/bin/llvm-nm"
  [ -x "$nm" ] || nm="$(command -v llvm-nm || command -v arm-none-eabi-nm)"
  sym() { "$nm" "$elf" 2>/dev/null | awk -v s="$1" '$3 == s { print "0x" $1 }'; }
  plugin_args=(-plugin "$work/libinsn-ticks.so,begin=$(sym exo_fw_tick_begin),end=$(sym exo_fw_tick_end),out=$work/insn-ticks.txt")
fi
start=$(date +%s%N)
status=0
timeout 600 qemu-system-arm -machine mps2-an386 -cpu cortex-m4 -nographic -monitor none -serial none \
  -semihosting-config enable=on,target=native "${plugin_args[@]}" -kernel "$elf" \
  >"$work/firmware.out" 2>"$work/qemu.err" || status=$?
if [ "$status" -ne 0 ]; then
  echo "run-on-qemu.sh: QEMU exited with status $status" >&2
  tail -3 "$work/firmware.out" "$work/qemu.err" >&2
  exit 2
fi
echo "   $(head -1 "$work/firmware.out"); $(tail -1 "$work/firmware.out") ($(( ($(date +%s%N) - start) / 1000000 )) ms)"
[ -z "$count" ] || sed 's/^/   /' "$work/insn-ticks.txt"

echo "== host: the same law and supervisor in f32 on the same tables"
# The host's own triple: crates/firmware/.cargo/config.toml would select the embedded target when this runs from
# inside crates/firmware.
host_triple="$(rustc -vV | sed -n 's/^host: //p')"
cargo build --quiet --release --manifest-path "$fw/host/Cargo.toml" --target "$host_triple" --target-dir "$target_dir"
host="$target_dir/$host_triple/release/exo-firmware-host"
"$host" replay --law "$law" --frames "$frames" -o "$work/host.out"
args=(compare "$work/firmware.out" --host "$work/host.out")
[ -n "$host_only" ] || args+=(--frames "$frames")

if [ -n "$exosim" ] && [ -z "$host_only" ]; then
  echo "== exosim replay $log"
  # A replay that differs from its own log exits non-zero; the comparison below says where.
  (cd "$root" && "$exosim" replay "$log" --frames "$frames" -o "$work/exosim") >"$work/exosim-replay.txt" 2>&1 || true
  sed 's/^/   /' "$work/exosim-replay.txt"
  replay_csv="$(ls "$work"/exosim/*/replay.csv 2>/dev/null | head -1)"
  [ -n "$replay_csv" ] || { echo "run-on-qemu.sh: exosim replay wrote no replay.csv" >&2; exit 2; }
  args+=(--replay "$replay_csv")
fi

echo "== comparison, bit for bit"
[ -z "$f64_supervisor" ] || args+=("$f64_supervisor")
"$host" "${args[@]}"
