// A fixture for scripts/check_floors.py: a house with three broken floors (not compiled).
#pragma once
#include "model/model.h"
