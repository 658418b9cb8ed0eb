// The trainer's config, declared torch-free in core/recipe/trainer_config.h
// (keys, defaults, ranges and help in one field table); the train module
// uses it under its own namespace.
#pragma once

#include "core/recipe/trainer_config.h"

namespace understudy::train {

using recipe::BatchingOptions;
using recipe::BmufConfig;
using recipe::BpttConfig;
using recipe::ConfigDifference;
using recipe::DataConfig;
using recipe::DistillationConfig;
using recipe::DistributionConfig;
using recipe::GtcConfig;
using recipe::LrScheduleConfig;
using recipe::OptimizerConfig;
using recipe::resumableKeys;
using recipe::resumeConfigDifferences;
using recipe::SoftDataConfig;
using recipe::StreamsConfig;
using recipe::TrainerConfig;

}  // namespace understudy::train
