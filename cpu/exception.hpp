// Synchronous exceptions raised while executing an instruction.
#pragma once
#include <cstdint>

namespace kestrel {

// ESR_ELx.EC values (Arm ARM D17.2.37).
enum class ExcClass : uint8_t {
    Unknown = 0x00,
    WFx = 0x01,
    FPAccess = 0x07,
    IllegalState = 0x0e,
    SVC64 = 0x15,
    HVC64 = 0x16,
    SMC64 = 0x17,
    SysReg = 0x18,
    InsnAbortLower = 0x20,
    InsnAbortSame = 0x21,
    PCAlign = 0x22,
    DataAbortLower = 0x24,
    DataAbortSame = 0x25,
    SPAlign = 0x26,
    FPExc64 = 0x2c,
    SError = 0x2f,
    BreakpointLower = 0x30,
    BreakpointSame = 0x31,
    SoftStepLower = 0x32,
    SoftStepSame = 0x33,
    WatchpointLower = 0x34,
    WatchpointSame = 0x35,
    BRK64 = 0x3c,
};

// Thrown by instruction handlers and memory accesses; the execution loop
// catches it at the instruction boundary and takes the exception.
struct GuestException {
    ExcClass ec = ExcClass::Unknown;
    uint32_t iss = 0;
    bool il = true; // 32-bit instruction
    uint64_t far = 0;
    bool far_valid = false;
    uint8_t target_el = 0; // 0: the default target (max(1, current EL))
};

// Thrown to stop the current block without an exception, e.g. when a
// vCPU halts or the machine requests an exit.
struct CpuExit {};

} // namespace kestrel
