from tarwatch.cli import main

main()
