#include "services/reporting/domain/effects.h"
