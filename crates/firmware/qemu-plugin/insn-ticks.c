/*
 * Instructions per control tick, counted by QEMU (TCG plugin API version 1, as in QEMU 7.2).
 *
 * Debian's qemu-system-arm supports plugins but ships neither the example plugins nor <qemu-plugin.h>, so
 * the few declarations used are written out below (the plugin ABI is C and stable within a version).
 *
 *   cc -shared -fPIC -O2 -o libinsn-ticks.so insn-ticks.c
 *   qemu-system-arm ... -plugin ./libinsn-ticks.so,begin=0xADDR,end=0xADDR,out=FILE -kernel replay
 *
 * `begin` and `end` are the addresses of exo_fw_tick_begin and exo_fw_tick_end (llvm-nm; the Thumb bit is
 * ignored). Every instruction executed between a call of the first and a call of the second counts for that
 * tick: the control tick itself, its call, and the entry of the end marker (a constant few, reported by the
 * firmware-side script). `range=0xADDR:SIZE:NAME` (repeatable) also counts the instructions executed inside
 * [ADDR, ADDR + SIZE) during ticks, e.g. soft-float helpers. The report (per-tick distribution, instruction
 * mix inside ticks, ranges, whole-run total) goes to `out`, or to QEMU's log without it.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef uint64_t qemu_plugin_id_t;
typedef struct qemu_info_t qemu_info_t;
struct qemu_plugin_tb;
struct qemu_plugin_insn;
enum qemu_plugin_cb_flags { QEMU_PLUGIN_CB_NO_REGS, QEMU_PLUGIN_CB_R_REGS, QEMU_PLUGIN_CB_RW_REGS };
enum qemu_plugin_op { QEMU_PLUGIN_INLINE_ADD_U64 };
typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id, struct qemu_plugin_tb *tb);
typedef void (*qemu_plugin_vcpu_udata_cb_t)(unsigned int vcpu_index, void *userdata);
typedef void (*qemu_plugin_udata_cb_t)(qemu_plugin_id_t id, void *userdata);

void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id, qemu_plugin_vcpu_tb_trans_cb_t cb);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb, size_t idx);
uint64_t qemu_plugin_insn_vaddr(const struct qemu_plugin_insn *insn);
char *qemu_plugin_insn_disas(const struct qemu_plugin_insn *insn);
void qemu_plugin_register_vcpu_insn_exec_inline(struct qemu_plugin_insn *insn, enum qemu_plugin_op op, void *ptr,
                                                uint64_t imm);
void qemu_plugin_register_vcpu_insn_exec_cb(struct qemu_plugin_insn *insn, qemu_plugin_vcpu_udata_cb_t cb,
                                            enum qemu_plugin_cb_flags flags, void *userdata);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, qemu_plugin_udata_cb_t cb, void *userdata);
void qemu_plugin_outs(const char *string);

__attribute__((visibility("default"))) int qemu_plugin_version = 1;

/* Instruction classes, by mnemonic (capstone's disassembly, which QEMU links). */
enum { C_ALL, C_LOAD, C_STORE, C_BRANCH, C_FP_ARITH, C_FP_DIV_SQRT, C_FP_MOVE, C_OTHER, C_COUNT };
static const char *class_names[C_COUNT] = {
    "all", "load (ldr/ldm/pop/vldr/vpop)", "store (str/stm/push/vstr/vpush)", "branch (b/bl/bx/cbz/pop pc)",
    "fp arithmetic/compare/convert", "fp divide/square root", "fp move (vmov/vmrs)", "other (integer ALU, it, ...)",
};

#define MAX_RANGES 32
struct range {
    uint64_t lo, hi;
    char name[64];
    uint64_t count;   /* executed so far (whole run) */
    uint64_t at_begin;
    uint64_t in_ticks;
};

static uint64_t counters[C_COUNT];
static uint64_t at_begin[C_COUNT];
static uint64_t in_ticks[C_COUNT];
static struct range ranges[MAX_RANGES];
static int n_ranges;
static uint64_t begin_addr = 1, end_addr = 1;
static int in_tick;
static uint64_t *per_tick;
static size_t n_ticks, cap_ticks;
static char out_path[512];

static int classify(const char *d) {
    char m[16] = {0};
    size_t i = 0;
    while (d[i] && d[i] != ' ' && d[i] != '\t' && i < sizeof m - 1) {
        m[i] = d[i];
        i++;
    }
    /* Drop condition codes and width suffixes that matter not here. */
    if (m[0] == 'v') {
        if (!strncmp(m, "vldr", 4) || !strncmp(m, "vldm", 4) || !strncmp(m, "vpop", 4)) return C_LOAD;
        if (!strncmp(m, "vstr", 4) || !strncmp(m, "vstm", 4) || !strncmp(m, "vpush", 5)) return C_STORE;
        if (!strncmp(m, "vdiv", 4) || !strncmp(m, "vsqrt", 5)) return C_FP_DIV_SQRT;
        if (!strncmp(m, "vmov", 4) || !strncmp(m, "vmrs", 4) || !strncmp(m, "vmsr", 4)) return C_FP_MOVE;
        return C_FP_ARITH;
    }
    if (!strncmp(m, "pop", 3)) return strstr(d, "pc") ? C_BRANCH : C_LOAD;
    if (!strncmp(m, "ldr", 3) || !strncmp(m, "ldm", 3) || !strncmp(m, "ldrex", 5)) return C_LOAD;
    if (!strncmp(m, "str", 3) || !strncmp(m, "stm", 3) || !strncmp(m, "push", 4)) return C_STORE;
    if (!strncmp(m, "cbz", 3) || !strncmp(m, "cbnz", 4) || !strncmp(m, "tbb", 3) || !strncmp(m, "tbh", 3))
        return C_BRANCH;
    if (m[0] == 'b' && strncmp(m, "bic", 3) && strncmp(m, "bfi", 3) && strncmp(m, "bfc", 3) && strncmp(m, "bkpt", 4))
        return C_BRANCH;
    if ((!strncmp(m, "mov", 3) || !strncmp(m, "add", 3)) && strstr(d, "pc,") == d + strlen(m) + 1) return C_BRANCH;
    return C_OTHER;
}

static void on_begin(unsigned int vcpu, void *udata) {
    (void)vcpu;
    (void)udata;
    memcpy(at_begin, counters, sizeof counters);
    for (int r = 0; r < n_ranges; r++) ranges[r].at_begin = ranges[r].count;
    in_tick = 1;
}

static void on_end(unsigned int vcpu, void *udata) {
    (void)vcpu;
    (void)udata;
    if (!in_tick) return;
    in_tick = 0;
    for (int c = 0; c < C_COUNT; c++) in_ticks[c] += counters[c] - at_begin[c];
    for (int r = 0; r < n_ranges; r++) ranges[r].in_ticks += ranges[r].count - ranges[r].at_begin;
    if (n_ticks == cap_ticks) {
        cap_ticks = cap_ticks ? 2 * cap_ticks : 4096;
        per_tick = realloc(per_tick, cap_ticks * sizeof *per_tick);
        if (!per_tick) abort();
    }
    per_tick[n_ticks++] = counters[C_ALL] - at_begin[C_ALL];
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb) {
    (void)id;
    size_t n = qemu_plugin_tb_n_insns(tb);
    for (size_t i = 0; i < n; i++) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        uint64_t pc = qemu_plugin_insn_vaddr(insn) & ~(uint64_t)1;
        char *d = qemu_plugin_insn_disas(insn);
        int c = d ? classify(d) : C_OTHER;
        free(d);
        if (pc == begin_addr) qemu_plugin_register_vcpu_insn_exec_cb(insn, on_begin, QEMU_PLUGIN_CB_NO_REGS, NULL);
        if (pc == end_addr) qemu_plugin_register_vcpu_insn_exec_cb(insn, on_end, QEMU_PLUGIN_CB_NO_REGS, NULL);
        qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64, &counters[C_ALL], 1);
        qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64, &counters[c], 1);
        for (int r = 0; r < n_ranges; r++)
            if (pc >= ranges[r].lo && pc < ranges[r].hi)
                qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64, &ranges[r].count, 1);
    }
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void on_qemu_exit(qemu_plugin_id_t id, void *udata) {
    (void)id;
    (void)udata;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) return;
    fprintf(f, "insn-ticks: whole run %" PRIu64 " instructions, %zu ticks\n", counters[C_ALL], n_ticks);
    if (n_ticks) {
        qsort(per_tick, n_ticks, sizeof *per_tick, cmp_u64);
        uint64_t sum = 0;
        for (size_t i = 0; i < n_ticks; i++) sum += per_tick[i];
        fprintf(f,
                "per tick: min %" PRIu64 " p50 %" PRIu64 " p90 %" PRIu64 " p99 %" PRIu64 " max %" PRIu64
                " mean %.1f\n",
                per_tick[0], per_tick[n_ticks / 2], per_tick[n_ticks * 9 / 10], per_tick[n_ticks * 99 / 100],
                per_tick[n_ticks - 1], (double)sum / (double)n_ticks);
        fprintf(f, "mix inside ticks (mean per tick):\n");
        for (int c = 1; c < C_COUNT; c++)
            fprintf(f, "  %-34s %8.1f\n", class_names[c], (double)in_ticks[c] / (double)n_ticks);
        for (int r = 0; r < n_ranges; r++)
            fprintf(f, "range %s: %" PRIu64 " instructions inside ticks (%.1f per tick), %" PRIu64 " in the run\n",
                    ranges[r].name, ranges[r].in_ticks, (double)ranges[r].in_ticks / (double)n_ticks,
                    ranges[r].count);
    }
    fclose(f);
    FILE *o = out_path[0] ? fopen(out_path, "w") : NULL;
    if (o) {
        fputs(buf, o);
        fclose(o);
    } else {
        qemu_plugin_outs(buf);
    }
    free(buf);
}

__attribute__((visibility("default"))) int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
                                                               int argc, char **argv) {
    (void)info;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!strncmp(a, "begin=", 6)) {
            begin_addr = strtoull(a + 6, NULL, 0) & ~(uint64_t)1;
        } else if (!strncmp(a, "end=", 4)) {
            end_addr = strtoull(a + 4, NULL, 0) & ~(uint64_t)1;
        } else if (!strncmp(a, "out=", 4)) {
            snprintf(out_path, sizeof out_path, "%s", a + 4);
        } else if (!strncmp(a, "range=", 6) && n_ranges < MAX_RANGES) {
            char *p;
            struct range *r = &ranges[n_ranges];
            r->lo = strtoull(a + 6, &p, 0) & ~(uint64_t)1;
            if (*p != ':') return -1;
            r->hi = r->lo + strtoull(p + 1, &p, 0);
            if (*p != ':') return -1;
            snprintf(r->name, sizeof r->name, "%s", p + 1);
            n_ranges++;
        } else {
            fprintf(stderr, "insn-ticks: unknown argument %s\n", a);
            return -1;
        }
    }
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
    qemu_plugin_register_atexit_cb(id, on_qemu_exit, NULL);
    return 0;
}
