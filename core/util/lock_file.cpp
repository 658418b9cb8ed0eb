#include "core/util/lock_file.h"
