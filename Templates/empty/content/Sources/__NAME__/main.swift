import __NAME__Core

print(greeting(arguments: Array(CommandLine.arguments.dropFirst())))
