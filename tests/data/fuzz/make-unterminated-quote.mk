ARGS = --accelerator-config=it's

train:
	torchrun train.py $(ARGS) \
		--accelerator-config=it's
