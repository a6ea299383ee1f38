#include "services/reporting/domain/figures.h"
