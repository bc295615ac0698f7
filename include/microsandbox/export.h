// MSB_EXPORT marks the public SDK surface; everything else is built hidden.
#pragma once

#define MSB_EXPORT __attribute__((visibility("default")))
