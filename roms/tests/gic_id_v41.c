#define GIC_EXPECT_V4 1
#include "gic_id.c"
