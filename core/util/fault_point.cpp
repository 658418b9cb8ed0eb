#include "core/util/fault_point.h"
