@_exported import struct Workload.SplitMix64
