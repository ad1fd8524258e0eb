/* GICv3 helpers for bare-metal tests on the virt board: distributor and
   redistributor setup, per-INTID configuration, the ICC_* system registers
   (by encoding, so any assembler accepts them) and starting secondary
   cores with PSCI CPU_ON. */
#pragma once
#include <stdint.h>

#define GICD_BASE 0x08000000ul
#define GITS_BASE 0x08080000ul
#define GICR_BASE 0x080a0000ul

/* Distributor registers. */
#define GICD_CTLR 0x0000
#define GICD_TYPER 0x0004
#define GICD_IIDR 0x0008
#define GICD_TYPER2 0x000c
#define GICD_IGROUPR 0x0080
#define GICD_ISENABLER 0x0100
#define GICD_ICENABLER 0x0180
#define GICD_ISPENDR 0x0200
#define GICD_ICPENDR 0x0280
#define GICD_ISACTIVER 0x0300
#define GICD_ICACTIVER 0x0380
#define GICD_IPRIORITYR 0x0400
#define GICD_ICFGR 0x0c00
#define GICD_IROUTER 0x6000
#define GICD_PIDR2 0xffe8
#define GICD_CTLR_RWP (1u << 31)
#define GICD_CTLR_ENABLE_G0 (1u << 0)
#define GICD_CTLR_ENABLE_G1 (1u << 1)
#define GICD_CTLR_ARE (1u << 4)
#define GICD_CTLR_DS (1u << 6)

/* Redistributor: RD_base frame, then SGI_base frame 64 KiB above. */
#define GICR_CTLR 0x0000
#define GICR_IIDR 0x0004
#define GICR_TYPER 0x0008
#define GICR_WAKER 0x0014
#define GICR_PROPBASER 0x0070
#define GICR_PENDBASER 0x0078
#define GICR_PIDR2 0xffe8
#define GICR_SGI_OFFSET 0x10000
#define GICR_WAKER_PROCESSOR_SLEEP (1u << 1)
#define GICR_WAKER_CHILDREN_ASLEEP (1u << 2)

/* ITS. */
#define GITS_CTLR 0x0000
#define GITS_IIDR 0x0004
#define GITS_TYPER 0x0008
#define GITS_CBASER 0x0080
#define GITS_CWRITER 0x0088
#define GITS_CREADR 0x0090
#define GITS_BASER(n) (0x0100 + 8 * (n))
#define GITS_TRANSLATER 0x10040

#define SPURIOUS 1023u

/* ICC system registers by encoding. */
#define ICC_PMR_EL1 "S3_0_C4_C6_0"
#define ICC_IAR0_EL1 "S3_0_C12_C8_0"
#define ICC_EOIR0_EL1 "S3_0_C12_C8_1"
#define ICC_HPPIR0_EL1 "S3_0_C12_C8_2"
#define ICC_BPR0_EL1 "S3_0_C12_C8_3"
#define ICC_AP0R0_EL1 "S3_0_C12_C8_4"
#define ICC_AP1R0_EL1 "S3_0_C12_C9_0"
#define ICC_DIR_EL1 "S3_0_C12_C11_1"
#define ICC_RPR_EL1 "S3_0_C12_C11_3"
#define ICC_SGI1R_EL1 "S3_0_C12_C11_5"
#define ICC_ASGI1R_EL1 "S3_0_C12_C11_6"
#define ICC_SGI0R_EL1 "S3_0_C12_C11_7"
#define ICC_IAR1_EL1 "S3_0_C12_C12_0"
#define ICC_EOIR1_EL1 "S3_0_C12_C12_1"
#define ICC_HPPIR1_EL1 "S3_0_C12_C12_2"
#define ICC_BPR1_EL1 "S3_0_C12_C12_3"
#define ICC_CTLR_EL1 "S3_0_C12_C12_4"
#define ICC_SRE_EL1 "S3_0_C12_C12_5"
#define ICC_IGRPEN0_EL1 "S3_0_C12_C12_6"
#define ICC_IGRPEN1_EL1 "S3_0_C12_C12_7"

#define icc_read(enc)                                                                              \
    ({                                                                                             \
        uint64_t v_;                                                                               \
        __asm__ volatile("mrs %0, " enc : "=r"(v_)::"memory");                                     \
        v_;                                                                                        \
    })
#define icc_write(enc, v) __asm__ volatile("msr " enc ", %0" ::"r"((uint64_t)(v)) : "memory")

static inline uint32_t mmio_read32(uint64_t a) {
    return *(volatile uint32_t*)a;
}
static inline void mmio_write32(uint64_t a, uint32_t v) {
    *(volatile uint32_t*)a = v;
}
static inline uint64_t mmio_read64(uint64_t a) {
    return *(volatile uint64_t*)a;
}
static inline void mmio_write64(uint64_t a, uint64_t v) {
    *(volatile uint64_t*)a = v;
}
static inline uint8_t mmio_read8(uint64_t a) {
    return *(volatile uint8_t*)a;
}
static inline void mmio_write8(uint64_t a, uint8_t v) {
    *(volatile uint8_t*)a = v;
}

/* This core's index on the virt board (Aff0 + 16 * Aff1). */
unsigned cpu_index(void);
/* Number of cores: redistributors up to the one with GICR_TYPER.Last. */
unsigned gic_num_cpus(void);
/* RD_base of a core's redistributor (128 KiB frames on GICv3, 256 KiB
   when GICR_TYPER.VLPIS says GICv4). */
uint64_t gicr_base(unsigned cpu);
/* The GIC architecture revision from GICD_PIDR2 (3 or 4). */
unsigned gic_arch_rev(void);

/* Distributor: affinity routing, both groups enabled; every SPI Group 1,
   priority 0xa0, level-sensitive, disabled, routed to core 0. Call once. */
void gic_dist_init(void);
/* This core: redistributor awake, SGIs/PPIs Group 1 priority 0xa0 and
   disabled, ICC_SRE_EL1.SRE = 1, PMR = 0xff, BPR1 = 0, EOImode 0, both
   groups enabled. */
void gic_cpu_init(void);

/* Per-INTID configuration. SGIs/PPIs (< 32) act on the calling core's
   redistributor, SPIs on the distributor. */
void gic_enable(unsigned intid);
void gic_disable(unsigned intid);
void gic_set_priority(unsigned intid, uint8_t prio);
void gic_set_group(unsigned intid, unsigned group);
void gic_set_pending(unsigned intid);
void gic_clear_pending(unsigned intid);
int gic_is_pending(unsigned intid);
int gic_is_active(unsigned intid);
void gic_set_active(unsigned intid);
void gic_clear_active(unsigned intid);
/* Edge (1) or level (0) triggered; SGIs are always edge. */
void gic_set_edge(unsigned intid, int edge);
/* GICD_IROUTER of an SPI: to one core, or 1-of-N when irm. */
void gic_route_spi(unsigned intid, unsigned cpu, int irm);
void gic_wait_rwp(void);

/* ICC_SGI1R_EL1 value for an SGI to a target list in Aff1 cluster 0. */
uint64_t sgi_to_list(unsigned intid, uint16_t target_list);
/* ICC_SGI1R_EL1 value for an SGI to every core but this one (IRM = 1). */
uint64_t sgi_to_others(unsigned intid);

/* Starts core cpu at fn(cpu) with its own stack and the test vectors;
   fn returning powers the core off (PSCI CPU_OFF). Returns the PSCI
   status. */
int64_t smp_start(unsigned cpu, void (*fn)(unsigned cpu));
/* Waits until AFFINITY_INFO says the core is off; 1 on success. */
int smp_wait_off(unsigned cpu);

/* Enables or masks IRQ and FIQ at the core (PSTATE.I and F). */
#define irq_enable() __asm__ volatile("msr daifclr, #3" ::: "memory")
#define irq_disable() __asm__ volatile("msr daifset, #3" ::: "memory")

#define MAX_CPUS 8

/* Spins until cond holds or a generous bound passes; yields cond. Other
   cores get time while this one spins. */
#define WAIT_FOR(cond)                                                                             \
    ({                                                                                             \
        unsigned long n_ = 0;                                                                      \
        while (!(cond) && n_ < 20000000ul) {                                                       \
            n_++;                                                                                  \
            __asm__ volatile("" ::: "memory");                                                     \
        }                                                                                          \
        (cond) ? 1 : 0;                                                                            \
    })
/* Lets other cores and pending interrupts run for a while. */
void spin_delay(unsigned long loops);
