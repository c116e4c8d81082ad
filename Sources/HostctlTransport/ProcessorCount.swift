import CHostctlLinux

/// CPUs this process may use (honours `taskset`): the default number of loops.
public var availableProcessorCount: Int { Int(chl_available_cpus()) }
