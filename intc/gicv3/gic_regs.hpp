// Register offsets and bit fields of the GICv3/GICv4.1 programmers' model
// (Arm IHI 0069). Only what Kestrel's GIC uses.
#pragma once
#include <cstdint>

namespace kestrel::gic {

// Special INTIDs.
constexpr uint32_t kSpurious = 1023;
constexpr uint32_t kFirstSpi = 32;
constexpr uint32_t kFirstLpi = 8192;
constexpr unsigned kNumInternal = 32; // SGIs + PPIs per redistributor
constexpr unsigned kNumSgis = 16;

// Interrupt identifier bits (GICD_TYPER.IDbits + 1) and the LPI range.
constexpr unsigned kIdBits = 16;
// Implemented priority bits (ICC_CTLR_EL1.PRIbits + 1): 32 levels.
constexpr unsigned kPriorityBits = 5;
constexpr uint8_t kPriorityMask = static_cast<uint8_t>(0xff << (8 - kPriorityBits)); // 0xf8
// Lowest binary point the CPU interface supports for Group 0 (group
// priority field = bits [7:3] with 5 priority bits).
constexpr unsigned kMinBpr0 = 7 - kPriorityBits;
constexpr unsigned kMinBpr1 = kMinBpr0 + 1;

// --- Distributor (GICD_*) ---------------------------------------------------
namespace d {
constexpr uint64_t CTLR = 0x0000, TYPER = 0x0004, IIDR = 0x0008, TYPER2 = 0x000c, STATUSR = 0x0010,
                   SETSPI_NSR = 0x0040, CLRSPI_NSR = 0x0048, SETSPI_SR = 0x0050, CLRSPI_SR = 0x0058,
                   IGROUPR = 0x0080, ISENABLER = 0x0100, ICENABLER = 0x0180, ISPENDR = 0x0200,
                   ICPENDR = 0x0280, ISACTIVER = 0x0300, ICACTIVER = 0x0380, IPRIORITYR = 0x0400,
                   ITARGETSR = 0x0800, ICFGR = 0x0c00, IGRPMODR = 0x0d00, NSACR = 0x0e00,
                   SGIR = 0x0f00, CPENDSGIR = 0x0f10, SPENDSGIR = 0x0f20, INMIR = 0x0f80,
                   IROUTER = 0x6000, IDREGS = 0xffd0, PIDR2 = 0xffe8;
} // namespace d

// GICD_CTLR with GICD_CTLR.DS == 1 (single Security state).
constexpr uint32_t kCtlrEnableGrp0 = 1u << 0;
constexpr uint32_t kCtlrEnableGrp1 = 1u << 1;
constexpr uint32_t kCtlrAre = 1u << 4;
constexpr uint32_t kCtlrDs = 1u << 6;
constexpr uint32_t kCtlrE1NWF = 1u << 7;
constexpr uint32_t kCtlrNassgiReq = 1u << 8;
constexpr uint32_t kCtlrRwp = 1u << 31;

constexpr uint32_t kTyper2NassgiCap = 1u << 8;
constexpr uint32_t kTyper2Vil = 1u << 7;

constexpr uint64_t kIrouterIrm = 1ull << 31;

// --- Redistributor (GICR_*), RD_base frame -----------------------------------
namespace r {
constexpr uint64_t CTLR = 0x0000, IIDR = 0x0004, TYPER = 0x0008, STATUSR = 0x0010, WAKER = 0x0014,
                   SETLPIR = 0x0040, CLRLPIR = 0x0048, PROPBASER = 0x0070, PENDBASER = 0x0078,
                   INVLPIR = 0x00a0, INVALLR = 0x00b0, SYNCR = 0x00c0;
// VLPI_base frame (third 64 KiB frame on GICv4.x).
constexpr uint64_t VPROPBASER = 0x0070, VPENDBASER = 0x0078, VSGIR = 0x0080, VSGIPENDR = 0x0088;
} // namespace r

constexpr uint64_t kFrameSize = 0x10000;

constexpr uint32_t kRCtlrEnableLpis = 1u << 0;
constexpr uint32_t kRCtlrCes = 1u << 1;
constexpr uint32_t kRCtlrIr = 1u << 2;
constexpr uint32_t kRCtlrRwp = 1u << 3;
constexpr uint32_t kRCtlrUwp = 1u << 31;

constexpr uint64_t kRTyperPlpis = 1ull << 0;
constexpr uint64_t kRTyperVlpis = 1ull << 1;
constexpr uint64_t kRTyperDirectLpi = 1ull << 3;
constexpr uint64_t kRTyperLast = 1ull << 4;
constexpr uint64_t kRTyperRvpeid = 1ull << 7;
constexpr uint64_t kRTyperVsgi = 1ull << 26;

constexpr uint32_t kWakerProcessorSleep = 1u << 1;
constexpr uint32_t kWakerChildrenAsleep = 1u << 2;

// GICR_PROPBASER: IDbits[4:0], InnerCache[9:7], Shareability[11:10],
// PA[51:12], OuterCache[58:56].
constexpr uint64_t kPropbaserMask =
    0x1full | (7ull << 7) | (3ull << 10) | (((1ull << 40) - 1) << 12) | (7ull << 56);
// GICR_PENDBASER: InnerCache, Shareability, PA[51:16], OuterCache; PTZ[62]
// is write-only (reads as zero).
constexpr uint64_t kPendbaserMask =
    (7ull << 7) | (3ull << 10) | (((1ull << 36) - 1) << 16) | (7ull << 56);
constexpr uint64_t kPendbaserPtz = 1ull << 62;

// GICR_VPROPBASER, GICv4.1 layout.
constexpr uint64_t kVPropValid = 1ull << 63;
constexpr unsigned kVPropEntrySizeShift = 59; // [61:59], read-only
constexpr uint64_t kVPropIndirect = 1ull << 55;
constexpr unsigned kVPropPageSizeShift = 53; // [54:53]
constexpr uint64_t kVPropZ = 1ull << 52;
// Writable fields: Valid, OuterCache[58:56], Indirect, Page_Size, Z (write
// only, reads 0), PA[51:12], Shareability[11:10], InnerCache[9:7], Size[6:0].
constexpr uint64_t kVPropbaserRwMask = kVPropValid | (7ull << 56) | kVPropIndirect |
                                       (3ull << kVPropPageSizeShift) | (((1ull << 40) - 1) << 12) |
                                       (3ull << 10) | (7ull << 7) | 0x7full;
// GICR_VPENDBASER, GICv4.1 layout: Valid[63], Doorbell[62], PendingLast[61]
// (RO), Dirty[60] (RO), vGrp0En[59], vGrp1En[58], vPEID[15:0].
constexpr uint64_t kVPendbaserRwMask =
    (1ull << 63) | (1ull << 62) | (1ull << 59) | (1ull << 58) | 0xffffull;
constexpr uint32_t kVsgiPendrBusy = 1u << 31;

// --- ITS (GITS_*) -------------------------------------------------------------
namespace its {
constexpr uint64_t CTLR = 0x0000, IIDR = 0x0004, TYPER = 0x0008, MPIDR = 0x0018, STATUSR = 0x0040,
                   UMSIR = 0x0048, CBASER = 0x0080, CWRITER = 0x0088, CREADR = 0x0090,
                   BASER = 0x0100, TRANSLATER = 0x10040;
} // namespace its

constexpr uint32_t kItsCtlrEnabled = 1u << 0;
constexpr uint32_t kItsCtlrQuiescent = 1u << 31;

constexpr uint64_t kBaserValid = 1ull << 63;
constexpr uint64_t kBaserIndirect = 1ull << 62;
constexpr unsigned kBaserTypeShift = 56;
constexpr unsigned kBaserEntrySizeShift = 48;
constexpr unsigned kBaserPageSizeShift = 8;
constexpr uint64_t kBaserTypeDevice = 1, kBaserTypeCollection = 4;
// Writable GITS_BASER<n> fields: Valid, InnerCache[61:59], OuterCache[55:53],
// PA[47:12], Shareability[11:10], Page_Size[9:8], Size[7:0]. Indirect and
// Type/Entry_Size are read-only (flat tables only).
constexpr uint64_t kBaserRwMask = kBaserValid | (7ull << 59) | (7ull << 53) |
                                  (((1ull << 36) - 1) << 12) | (3ull << 10) | (3ull << 8) | 0xffull;
// GITS_CBASER: Valid, InnerCache[61:59], OuterCache[55:53], PA[51:12],
// Shareability[11:10], Size[7:0].
constexpr uint64_t kCbaserRwMask =
    kBaserValid | (7ull << 59) | (7ull << 53) | (((1ull << 40) - 1) << 12) | (3ull << 10) | 0xffull;
constexpr uint64_t kCqOffsetMask = 0xfffe0; // CWRITER/CREADR offset [19:5]
constexpr uint64_t kCreadrStalled = 1;

// ITS command numbers.
namespace cmd {
constexpr uint8_t MOVI = 0x01, INT = 0x03, CLEAR = 0x04, SYNC = 0x05, MAPD = 0x08, MAPC = 0x09,
                  MAPTI = 0x0a, MAPI = 0x0b, INV = 0x0c, INVALL = 0x0d, MOVALL = 0x0e,
                  DISCARD = 0x0f;
} // namespace cmd

// ITS table geometry chosen by Kestrel (reported in GITS_TYPER/BASER).
constexpr unsigned kItsDevBits = 16;   // DeviceID bits
constexpr unsigned kItsEventBits = 16; // EventID bits
constexpr unsigned kItsCollBits = 16;  // ICID bits (CIL = 0)
constexpr unsigned kItsEntrySize = 8;  // bytes per DTE, CTE and ITE

// ID space shared by the GIC frames.
constexpr uint32_t kCidr[4] = {0x0d, 0xf0, 0x05, 0xb1};

} // namespace kestrel::gic
