#include "common/grpc/metadata.h"

#include <string>

#include "common/metadata_value.h"
#include "grpcpp/client_context.h"

namespace drive {

absl::Status AddMetadata(grpc::ClientContext* ctx, const char* key,
                         std::string_view value) {
  absl::Status s = ValidateMetadataValue(key, value);
  if (!s.ok()) return s;
  ctx->AddMetadata(key, std::string(value));
  return absl::OkStatus();
}

}  // namespace drive
