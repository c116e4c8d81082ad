// What apps import: `import Hostctl` brings the hosting library and the value types it uses.
@_exported import HostctlCore
@_exported import HostctlHosting
