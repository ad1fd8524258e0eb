/* PSCI over HVC on a single core: version, features, affinity queries and
   the error codes for cores that do not exist. */
#include "baremetal.h"

#define PSCI_VERSION 0x84000000u
#define PSCI_CPU_ON64 0xc4000003u
#define PSCI_AFFINITY_INFO64 0xc4000004u
#define PSCI_MIGRATE_INFO_TYPE 0x84000006u
#define PSCI_SYSTEM_OFF 0x84000008u
#define PSCI_FEATURES 0x8400000au

#define NOT_SUPPORTED ((uint64_t)-1)
#define INVALID_PARAMETERS ((uint64_t)-2)
#define ALREADY_ON ((uint64_t)-4)

int main(void) {
    int failures = 0;
    CHECK_EQ("PSCI_VERSION", psci_call(PSCI_VERSION, 0, 0, 0), 0x10001);
    CHECK_EQ("FEATURES(CPU_ON64)", psci_call(PSCI_FEATURES, PSCI_CPU_ON64, 0, 0), 0);
    CHECK_EQ("FEATURES(SYSTEM_OFF)", psci_call(PSCI_FEATURES, PSCI_SYSTEM_OFF, 0, 0), 0);
    CHECK_EQ("FEATURES(0x8400001f)", psci_call(PSCI_FEATURES, 0x8400001fu, 0, 0), NOT_SUPPORTED);
    CHECK_EQ("MIGRATE_INFO_TYPE", psci_call(PSCI_MIGRATE_INFO_TYPE, 0, 0, 0), 2);
    CHECK_EQ("AFFINITY_INFO(self)", psci_call(PSCI_AFFINITY_INFO64, 0, 0, 0), 0);
    CHECK_EQ("AFFINITY_INFO(missing)", psci_call(PSCI_AFFINITY_INFO64, 5, 0, 0),
             INVALID_PARAMETERS);
    CHECK_EQ("CPU_ON(self)", psci_call(PSCI_CPU_ON64, 0, 0x40080000u, 0), ALREADY_ON);
    CHECK_EQ("CPU_ON(missing)", psci_call(PSCI_CPU_ON64, 9, 0x40080000u, 0), INVALID_PARAMETERS);
    CHECK_EQ("unknown SMCCC call", psci_call(0xc2000042u, 0, 0, 0), NOT_SUPPORTED);
    return failures;
}
