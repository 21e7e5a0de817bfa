#!/usr/bin/env bash
# The firmware's figures: flash and RAM of the law + supervisor for 2, 3 and 6 joints, with and without the
# replay harness (`size` of the linked images), and instructions per control tick counted by QEMU
# (qemu-plugin/insn-ticks.c) with what they imply for a 168 MHz Cortex-M4F. README.md ("From simulation to
# firmware") reports its output.
#
#   crates/firmware/figures.sh [--log DIR]     # default log: crates/firmware/examples/walking-assist-log
#
# Needs qemu-system-arm, a C compiler for the plugin, and llvm-size/llvm-nm (the toolchain's, from
# `rustup component add llvm-tools`, or the system's).
set -euo pipefail

fw="$(cd "$(dirname "$0")" && pwd)"
log="$fw/examples/walking-assist-log"
[ "${1:-}" != "--log" ] || log="$(realpath "$2")"
frames="$log/frames.csv"
target_dir="${CARGO_TARGET_DIR:-$fw/target}"
out="$target_dir/thumbv7em-none-eabihf/release"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
host_triple="$(rustc -vV | sed -n 's/^host: //p')"
tools="$(rustc --print sysroot)/lib/rustlib/$host_triple/bin"
tool() { if [ -x "$tools/llvm-$1" ]; then echo "$tools/llvm-$1"; else command -v "llvm-$1" || command -v "arm-none-eabi-$1"; fi; }
size="$(tool size)"
nm="$(tool nm)"
cc -shared -fPIC -O2 -o "$work/libinsn-ticks.so" "$fw/qemu-plugin/insn-ticks.c"

declare -A laws=([2]="$fw/examples/walking-assist.law.toml" [3]="$fw/examples/sizes/3-joints.law.toml"
  [6]="$fw/examples/sizes/6-joints.law.toml")
echo "frames: $frames ($(($(wc -l <"$frames") - 1)) ticks)"
echo
echo "| joints | image | text | data | bss | flash (text + data) | static RAM (data + bss) | control_tick code |"
echo "|---|---|---|---|---|---|---|---|"
for n in 2 3 6; do
  EXOSIM_LAW="${laws[$n]}" EXOSIM_FRAMES="$frames" cargo build --quiet --release --manifest-path "$fw/Cargo.toml" \
    --target thumbv7em-none-eabihf >"$work/build.txt" 2>&1 || { cat "$work/build.txt" >&2; exit 2; }
  for image in tick replay; do
    cp "$out/$image" "$work/$image-$n"
    read -r text data bss _ < <("$size" "$work/$image-$n" | tail -1)
    code_hex=$("$nm" -S "$work/$image-$n" | awk '/control_tick/ { print $2; exit }')
    code=$((16#${code_hex:-0}))
    label=$([ "$image" = tick ] && echo "law + supervisor (\`tick\`)" || echo "with replay harness (\`replay\`)")
    echo "| $n | $label | $text | $data | $bss | $((text + data)) | $((data + bss)) | $code |"
  done
done
echo
echo "The replay images hold the frame table: $(($(wc -l <"$frames") - 1)) ticks x (4 + 9 N) words."
echo
for n in 2 3 6; do
  elf="$work/replay-$n"
  sym() { "$nm" "$elf" | awk -v s="$1" '$3 == s { print "0x" $1 }'; }
  qemu-system-arm -machine mps2-an386 -cpu cortex-m4 -nographic -monitor none -serial none \
    -semihosting-config enable=on,target=native \
    -plugin "$work/libinsn-ticks.so,begin=$(sym exo_fw_tick_begin),end=$(sym exo_fw_tick_end),out=$work/insn-$n.txt" \
    -kernel "$elf" >"$work/replay-$n.out"
  echo "## $n joints: $(head -1 "$work/replay-$n.out" | cut -d" " -f3-); $(tail -1 "$work/replay-$n.out")"
  cat "$work/insn-$n.txt"
  # Cycle estimates from the mean mix (instructions inside a tick; see README.md for the assumptions):
  #   best:      CPI 1, every instruction one cycle, code and data with zero wait states
  #   typical:   + 1 per load, + 2 per branch (pipeline refill), + 13 per VDIV/VSQRT (14 cycles each)
  #   worst:     typical + 5 flash wait states on every branch (168 MHz, ART accelerator missing)
  awk '
    /^per tick:/ { for (i = 1; i <= NF; i++) if ($i == "mean") mean = $(i + 1); for (i = 1; i <= NF; i++) if ($i == "max") max = $(i + 1) }
    /^  load/ { load = $NF } /^  branch/ { branch = $NF } /^  fp divide/ { div = $NF }
    END {
      best = mean; typical = mean + load + 2 * branch + 13 * div; worst = typical + 5 * branch
      printf "cycles per tick (mean): best %.0f, typical %.0f, worst %.0f; at 168 MHz: %.1f / %.1f / %.1f us", best, typical, worst, best / 168, typical / 168, worst / 168
      printf " (max-tick instructions %d: worst about %.1f us)\n", max, worst / 168 * max / mean
    }' "$work/insn-$n.txt"
  echo
done
