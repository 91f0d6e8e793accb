#include "parktwin/wall/layout.h"
