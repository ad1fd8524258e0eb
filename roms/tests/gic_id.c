/* ID registers of the GIC for the version the test was built for
   (GIC_EXPECT_V4 = 0: gic-version=3, 1: gic-version=4.1). Expected values
   are the architecture's field layouts with the choices documented in
   docs/gicv3.md. Also the GICD_CTLR.nASSGIreq write rules. */
#include "baremetal.h"
#include "gic.h"

#ifndef GIC_EXPECT_V4
#error "build through gic_id_v3.c or gic_id_v41.c"
#endif

#define GICD_CTLR_NASSGIREQ (1u << 8)

int main(void) {
    int failures = 0;
    const int v4 = GIC_EXPECT_V4;
    unsigned n = gic_num_cpus();

    uint32_t pidr2 = mmio_read32(GICD_BASE + GICD_PIDR2);
    CHECK_EQ("GICD_PIDR2.ArchRev", (pidr2 >> 4) & 0xf, v4 ? 4 : 3);
    CHECK_EQ("GICR_PIDR2.ArchRev", (mmio_read32(gicr_base(0) + GICR_PIDR2) >> 4) & 0xf, v4 ? 4 : 3);
    /* GICD_TYPER2 (4.1): VID [4:0] = 15 (16-bit vPEIDs), VIL [7], nASSGIcap [8]. */
    CHECK_EQ("GICD_TYPER2", mmio_read32(GICD_BASE + GICD_TYPER2), v4 ? 0x18f : 0);

    uint32_t typer = mmio_read32(GICD_BASE + GICD_TYPER);
    CHECK_EQ("GICD_TYPER.ITLinesNumber (256 INTIDs)", typer & 0x1f, 7);
    CHECK_EQ("GICD_TYPER.IDbits (16 bits)", (typer >> 19) & 0x1f, 15);
    CHECK_EQ("GICD_TYPER.LPIS", (typer >> 17) & 1, 1);
    CHECK_EQ("GICD_TYPER.MBIS", (typer >> 16) & 1, 1);
    CHECK_EQ("GICD_TYPER.SecurityExtn", (typer >> 10) & 1, 0);
    CHECK_EQ("GICD_CTLR: ARE and DS read as one", mmio_read32(GICD_BASE + GICD_CTLR) & 0x50, 0x50);

    for (unsigned c = 0; c < n; c++) {
        uint64_t t = mmio_read64(gicr_base(c) + GICR_TYPER);
        CHECK_EQ("GICR_TYPER.Processor_Number", (t >> 8) & 0xffff, c);
        CHECK_EQ("GICR_TYPER.Affinity", t >> 32, (c % 16) | ((c / 16) << 8));
        CHECK_EQ("GICR_TYPER.Last", (t >> 4) & 1, c == n - 1);
        CHECK_EQ("GICR_TYPER.PLPIS", t & 1, 1);
        CHECK_EQ("GICR_TYPER.VLPIS", (t >> 1) & 1, v4);
        CHECK_EQ("GICR_TYPER.DirectLPI", (t >> 3) & 1, v4);
        /* The ITS is physical only: no vPEID-based features are offered. */
        CHECK_EQ("GICR_TYPER.RVPEID", (t >> 7) & 1, 0);
        CHECK_EQ("GICR_TYPER.VSGI", (t >> 26) & 1, 0);
    }
    CHECK_EQ("ITS PIDR2.ArchRev", (mmio_read32(GITS_BASE + 0xffe8) >> 4) & 0xf, v4 ? 4 : 3);

    /* nASSGIreq: writable on 4.1 only while both groups are disabled. */
    mmio_write32(GICD_BASE + GICD_CTLR, GICD_CTLR_ARE | GICD_CTLR_ENABLE_G1);
    gic_wait_rwp();
    mmio_write32(GICD_BASE + GICD_CTLR, GICD_CTLR_ARE | GICD_CTLR_ENABLE_G1 | GICD_CTLR_NASSGIREQ);
    gic_wait_rwp();
    CHECK_EQ("nASSGIreq ignored while enabled",
             mmio_read32(GICD_BASE + GICD_CTLR) & GICD_CTLR_NASSGIREQ, 0);
    mmio_write32(GICD_BASE + GICD_CTLR, GICD_CTLR_ARE);
    gic_wait_rwp();
    mmio_write32(GICD_BASE + GICD_CTLR, GICD_CTLR_ARE | GICD_CTLR_NASSGIREQ);
    gic_wait_rwp();
    CHECK_EQ("nASSGIreq with groups disabled",
             mmio_read32(GICD_BASE + GICD_CTLR) & GICD_CTLR_NASSGIREQ,
             v4 ? GICD_CTLR_NASSGIREQ : 0);
    puts_uart("GIC architecture revision ");
    print_dec(gic_arch_rev());
    puts_uart("\n");
    return failures;
}
