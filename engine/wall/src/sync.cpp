#include "parktwin/wall/sync.h"
