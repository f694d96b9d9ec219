/* true: exit successfully, whatever the arguments. */
int main(void)
{
	return 0;
}
