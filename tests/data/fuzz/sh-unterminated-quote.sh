torchrun train.py --accelerator-config=it's
