// The IMF-fixdate lives in HostctlCore (the hosting layer writes Last-Modified and reads
// If-Modified-Since with it too); modules that format Date headers through this codec
// keep finding it here. (The fuzz builds compile Core and HTTP1 as one module.)
#if canImport(HostctlCore)
@_exported import enum HostctlCore.HTTPDate
#endif
