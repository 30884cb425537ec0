// A fixture: the model including the layers below it is allowed.
#pragma once
#include "core/layer.h"
#include "layers/conv.h"
