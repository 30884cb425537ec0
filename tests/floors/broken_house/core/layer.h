// A fixture: core (floor 1) reaching up to the model (floor 3) is a violation.
#pragma once
#include "core/error.h"
#include "model/model.h"
