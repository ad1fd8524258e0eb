#define GIC_EXPECT_V4 0
#include "gic_id.c"
