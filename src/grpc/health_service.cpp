// Placeholder: the grpc.health.v1 service over Registry::check_health.
#include "grpc/health/v1/health.grpc.pb.h"
