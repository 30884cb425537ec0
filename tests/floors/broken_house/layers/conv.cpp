// A fixture: a layer that runs its own threads is two violations (the include and the call).
#include <omp.h>

#include "core/layer.h"

int scratch_slot() { return omp_get_thread_num(); }
