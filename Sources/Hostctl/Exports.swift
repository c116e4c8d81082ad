// What apps import: `import Hostctl` brings the hosting library, configuration, logging
// and the value types they use.
@_exported import HostctlConfiguration
@_exported import HostctlCore
@_exported import HostctlHosting
@_exported import HostctlLogging
