import PlayCommands

BastionPlay.main()
